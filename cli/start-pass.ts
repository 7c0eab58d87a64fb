/**
 * The local run of `gilbench start`: queue a job through the server's API and
 * let an agent in this process claim it, measure, spool and upload, the same
 * path a benchmark machine takes (so the dashboard shows the job's live
 * progress too).
 */
import { dirname, resolve } from 'node:path';
import { parseModes } from '../harness/run/options.ts';
import { resolveSuite } from '../harness/run/suites.ts';
import { getProfile } from '../harness/sampling/profiles.ts';

export interface LocalPassOptions {
  url: string;
  token: string;
  dataDir: string;
  profile: string;
  suites: string[];
  modes: string[];
  signal: AbortSignal;
}

/** Progress on one rewritten line on a terminal; the agent's other messages as they come. */
function progressLog(stream: NodeJS.WriteStream = process.stderr): (message: string) => void {
  const started = performance.now();
  return (message) => {
    const m = /^case-(start|done) (\d+)\/(\d+) (.*)$/.exec(message);
    if (!m) {
      stream.write(`${stream.isTTY ? '\r\x1b[K' : ''}  ${message}\n`);
      return;
    }
    if (m[1] === 'start' && !stream.isTTY) return;
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    const line = `  [${m[2]}/${m[3]} ${seconds}s] ${m[4]}`;
    stream.write(stream.isTTY ? `\r\x1b[K${line.slice(0, (stream.columns || 100) - 1)}` : `${line}\n`);
  };
}

export async function runLocalPass(opts: LocalPassOptions): Promise<'ok' | 'failed' | 'was interrupted'> {
  // Checked here, so a typo is a clear error before anything is queued.
  getProfile(opts.profile);
  parseModes(opts.modes);
  const refs = opts.suites.map((suite) => resolveSuite(suite));
  // The user's own suite files: the job names them by absolute path, and the local agent may run them.
  const suites = refs.map((ref) => (ref.builtIn ? ref.name : ref.file));
  const suiteDirs = refs.filter((ref) => !ref.builtIn).map((ref) => dirname(ref.file));

  const response = await fetch(`${opts.url}/api/v1/jobs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${opts.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ suites, modes: opts.modes, profile: opts.profile }),
  });
  if (!response.ok) throw new Error(`could not queue the local job: ${response.status} ${await response.text()}`);
  const { job } = (await response.json()) as { job: { id: number } };
  process.stdout.write(
    `gilbench: job ${job.id} queued: ${opts.suites.join(', ')} in ${opts.modes.join(', ')} (${opts.profile} profile); a local agent runs it\n`,
  );

  const { defaultAgentOptions, runAgent } = await import('../agents/agent.ts');
  const { allowedSuiteDirs } = await import('../agents/job-suites.ts');
  const code = await runAgent({
    ...defaultAgentOptions(),
    allowSuiteDirs: allowedSuiteDirs(suiteDirs),
    server: opts.url,
    // The admin token may enroll: the local agent gets its own agent token.
    enrollToken: opts.token,
    spoolDir: resolve(opts.dataDir, 'spool'),
    stateFile: resolve(opts.dataDir, 'agent-state.json'),
    once: true,
    local: null,
    signal: opts.signal,
    log: progressLog(),
    print: () => {},
  });
  if (opts.signal.aborted) return 'was interrupted';
  return code === 0 ? 'ok' : 'failed';
}
