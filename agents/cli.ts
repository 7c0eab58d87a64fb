/**
 * `gilbench agent`: the benchmark machine's agent.
 *
 * @example
 * gilbench agent --server https://bench:8443 --token-file /etc/gilbench/enroll-token --labels x86,nightly
 * gilbench agent --once --server http://bench:8080            # one job, then exit (CI, cron)
 * gilbench agent --schedule "0 3 * * *" --suite scaling        # no server: runs stay in the spool
 * gilbench agent --export runs.json                            # the spooled runs as a JSON array
 */
import { homedir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../harness/errors.ts';
import { cleanName, nameProblem } from '../harness/names.ts';
import { collect, parseModes } from '../harness/run/options.ts';
import { getProfile } from '../harness/sampling/profiles.ts';
import { type AgentOptions, defaultAgentOptions, type LocalRunSpec, parseSchedule, runAgent } from './agent.ts';
import { allowedSuiteDirs } from './job-suites.ts';

/**
 * Where the agent keeps its spool unless told otherwise: `$XDG_STATE_HOME/gilbench/spool`.
 * @example defaultSpoolDir({ HOME: '/home/ci' }) === '/home/ci/.local/state/gilbench/spool'
 */
export function defaultSpoolDir(env: Record<string, string | undefined> = process.env): string {
  const stateHome = env.XDG_STATE_HOME || path.join(env.HOME || homedir(), '.local', 'state');
  return path.join(stateHome, 'gilbench', 'spool');
}

/** The identity file sits in the spool folder, hidden from the spool's own listing. */
export const STATE_FILE_NAME = '.agent-state.json';

interface AgentFlags {
  server?: string;
  token?: string;
  tokenFile?: string;
  labels?: string[];
  spool?: string;
  state?: string;
  once?: boolean;
  schedule?: string;
  suite?: string[];
  mode?: string[];
  profile?: string;
  filter?: string;
  python?: string[];
  allowSuiteDir?: string[];
  installRuntimes?: boolean;
  export?: string;
  poll: string;
  lease: string;
  backoff: string;
}

/**
 * Turns the flags into agent options, checking every combination a user can get wrong.
 * @example agentOptionsFromFlags({ once: true, suite: ['selftest'], poll: '30', lease: '900', backoff: '300' }, signal)
 */
export function agentOptionsFromFlags(
  flags: AgentFlags,
  signal: AbortSignal,
  env: Record<string, string | undefined> = process.env,
): AgentOptions {
  const base = defaultAgentOptions();
  const spoolDir = path.resolve(flags.spool ?? defaultSpoolDir(env));
  const local: LocalRunSpec | null = flags.suite?.length
    ? {
        suites: flags.suite,
        modes: parseModes(flags.mode?.length ? flags.mode : ['gil', 'nogil', 'ft-gil']),
        profile: getProfile(flags.profile ?? 'default').name,
        filter: flags.filter,
      }
    : null;
  if (!local && (flags.mode?.length || flags.filter)) {
    throw new UsageError('--mode and --filter shape local runs; give the suites with --suite (jobs bring their own)');
  }
  if (flags.profile) getProfile(flags.profile);
  if (flags.schedule !== undefined) parseSchedule(flags.schedule);
  if (local && !flags.once && flags.schedule === undefined) {
    throw new UsageError('--suite runs locally: add --once (run now) or --schedule CRON (run on a schedule)');
  }
  if (!flags.server && flags.schedule === undefined && !local && !flags.export) {
    throw new UsageError(
      'nothing to do; pass --server URL (jobs from a server), or --once/--schedule with --suite (local runs), or --export FILE',
    );
  }
  if (flags.token !== undefined && flags.tokenFile !== undefined) {
    throw new UsageError('give the enrollment token once: --token-file FILE (or GILBENCH_TOKEN), or --token');
  }
  if (!flags.server && (flags.token || flags.tokenFile)) {
    throw new UsageError(`${flags.token ? '--token' : '--token-file'} needs --server (the server that made the token)`);
  }
  for (const label of flags.labels ?? []) {
    const problem = nameProblem(label);
    if (problem) {
      throw new UsageError(`--labels: in the label shown as ${JSON.stringify(cleanName(label))}, ${problem}`);
    }
  }
  const backoffMs = seconds(flags.backoff, '--backoff', 1);
  return {
    ...base,
    server: flags.server ?? null,
    // A file or the environment; --token works too but shows in `ps` to every user of the machine.
    enrollToken: flags.token ?? (flags.tokenFile ? null : env.GILBENCH_TOKEN || env.GILBENCH_ENROLL_TOKEN || null),
    enrollTokenFile: flags.tokenFile ? path.resolve(flags.tokenFile) : null,
    labels: [...new Set(flags.labels ?? [])],
    spoolDir,
    stateFile: path.resolve(flags.state ?? path.join(spoolDir, STATE_FILE_NAME)),
    once: Boolean(flags.once),
    schedule: flags.schedule ?? null,
    local,
    defaultProfile: getProfile(flags.profile ?? 'default').name,
    pythons: flags.python ?? [],
    allowSuiteDirs: allowedSuiteDirs(flags.allowSuiteDir ?? []),
    installRuntimes: Boolean(flags.installRuntimes),
    exportFile: flags.export ? path.resolve(flags.export) : null,
    pollMs: seconds(flags.poll, '--poll', 1),
    leaseSeconds: Math.round(seconds(flags.lease, '--lease', 10) / 1000),
    maxBackoffMs: backoffMs,
    retry: { ...base.retry, minTimeoutMs: Math.min(base.retry.minTimeoutMs, backoffMs), maxTimeoutMs: backoffMs },
    signal,
  };
}

function seconds(text: string, flag: string, min: number): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || value > 7 * 24 * 3600) {
    throw new UsageError(`${flag} takes a number of seconds from ${min} up to a week, not '${text}'`);
  }
  return Math.round(value * 1000);
}

export function registerAgentCommands(program: Command): void {
  program
    .command('agent')
    .description('run the benchmark agent: enroll, claim jobs, measure, spool and upload runs')
    .option('--server <url>', 'the gilbench server (e.g. http://bench.example:8080)')
    .option(
      '--token-file <file>',
      'file holding the enrollment token, read on the first start only (or set GILBENCH_TOKEN)',
    )
    .option('--token <token>', 'the enrollment token itself: visible to every user in `ps`; prefer --token-file')
    .option('--labels <labels>', 'labels jobs can ask for (comma-separated)', collect)
    .option('--spool <dir>', `where finished runs wait for the server (default ${defaultSpoolDir()})`)
    .option('--state <file>', `the agent's identity file, mode 0600 (default <spool>/${STATE_FILE_NAME})`)
    .option('--once', 'claim and run one job (or run --suite now), upload, and exit')
    .option('--schedule <cron>', 'run --suite locally on this cron schedule, e.g. "0 3 * * *"')
    .option('-s, --suite <names>', 'suites for local runs (comma-separated or repeated)', collect)
    .option('-m, --mode <modes>', 'modes for local runs (default gil,nogil,ft-gil)', collect)
    .option('-p, --profile <name>', 'quick, default or rigorous (local runs, and jobs that name none)')
    .option('--filter <regex>', 'local runs: only cases whose suite/benchmark[params] matches')
    .option('--python <path>', 'an interpreter to consider (repeatable; also GILBENCH_PYTHON)', collect)
    .option(
      '--allow-suite-dir <dirs>',
      'let server jobs run suite files from this folder (repeatable or comma-separated; default: built-in suites only)',
      collect,
    )
    .option('--install-runtimes', 'build a missing CPython 3.13 (default and free-threaded) before running')
    .option('--export <file>', 'write the spooled runs to this file as a JSON array (after each local run)')
    .option('--poll <seconds>', 'how often an idle agent asks for a job', '30')
    .option('--lease <seconds>', 'job lease to ask for; renewed after every case', '900')
    .option('--backoff <seconds>', 'longest wait between attempts while the server is unreachable', '300')
    .action(async (flags: AgentFlags) => {
      const controller = new AbortController();
      let signals = 0;
      const stop = (name: NodeJS.Signals) => {
        signals++;
        if (signals > 1) {
          process.stderr.write(`gilbench agent: second ${name}: exiting now\n`);
          process.exit(130);
        }
        process.stderr.write(
          `gilbench agent: ${name}: stopping (the current case ends, its workers are killed, a job goes back to the queue)\n`,
        );
        controller.abort(new Error(name));
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      try {
        process.exitCode = await runAgent(agentOptionsFromFlags(flags, controller.signal));
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}
