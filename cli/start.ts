/**
 * `gilbench start` (what `npm start` runs): the whole pipeline on one machine.
 *
 * 1. provision the runtimes (built once into the cache, with progress);
 * 2. start the server on 127.0.0.1 over an embedded SQLite database, with
 *    read views and the read API open, and an admin token for writes;
 * 3. queue a job for the four suites in gil, nogil and ft-gil and let a local
 *    agent claim, run and upload it, exactly as a benchmark machine would;
 * 4. print the dashboard URL and stay up until Ctrl-C.
 *
 * A second start reuses the database, the admin token and the runtimes, and
 * adds one more run to the history.
 *
 * Like main.ts this is in the wiring room, so it may load the server, the
 * agent and the dashboard; no other room does.
 *
 * @example gilbench start --port 8080 --profile quick
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../harness/errors.ts';
import { parsePublicUrl } from '../server/public-url.ts';
import { dashboard } from './seams.ts';

export interface StartOptions {
  port: number;
  dataDir: string;
  profile: string;
  suites: string[];
  modes: string[];
  /** Skip the local run: only serve what the database holds. */
  run: boolean;
  /** Where readers reach the server (`--public-url`), for the feeds' links. */
  publicUrl?: string;
}

/** The admin token lives beside the database (mode 0600) so a restart prints the same one. */
function adminToken(dataDir: string): string {
  const file = resolve(dataDir, 'admin-token');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const token = `gb_${randomBytes(24).toString('hex')}`;
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return token;
}

export async function start(opts: StartOptions): Promise<number> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  mkdirSync(opts.dataDir, { recursive: true });

  out('gilbench: provisioning runtimes (the first start builds CPython 3.13 twice: about 5-10 minutes)');
  const { installRuntime, createProgressDisplay } = await loadInstaller();
  const display = createProgressDisplay(process.stdout);
  try {
    const installed = await installRuntime('cpython@3.13', { onEvent: display.onEvent });
    display.stop();
    for (const v of installed.variants) out(`  ${v.variant}: ${v.executable}`);
  } catch (err) {
    display.stop();
    throw err;
  }

  const { startServer } = await import('../server/start.ts');
  const token = adminToken(opts.dataDir);
  const db = resolve(opts.dataDir, 'gilbench.db');
  const server = await startServer({
    db,
    port: opts.port,
    host: '127.0.0.1',
    public: true,
    adminToken: token,
    dashboard: dashboard(),
    publicUrl: opts.publicUrl,
  });
  out(`gilbench: server on ${server.url} (database ${db})`);
  out(`  admin token for write actions: ${token}`);

  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    if (opts.run) {
      const { runLocalPass } = await import('./start-pass.ts');
      const outcome = await runLocalPass({ ...opts, url: server.url, token, signal: stop.signal });
      if (outcome !== 'ok' && !stop.signal.aborted)
        out(`gilbench: the local run ${outcome}; the dashboard shows what is stored`);
    }
    if (!stop.signal.aborted) {
      out(`\ngilbench: dashboard at ${server.url}/  (Ctrl-C to stop)`);
      await new Promise<void>((done) => stop.signal.addEventListener('abort', () => done(), { once: true }));
    }
    out('\ngilbench: stopping');
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await server.close();
  }
}

async function loadInstaller() {
  const [{ installRuntime }, { createProgressDisplay }] = await Promise.all([
    import('../harness/runtimes/install.ts'),
    import('../harness/runtimes/progress.ts'),
  ]);
  return { installRuntime, createProgressDisplay };
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port must be a whole number from 0 to 65535, not '${value}'`);
  }
  return port;
}

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('provision runtimes, start the server and dashboard, and add a local run of the four suites')
    .option('--port <n>', 'port on 127.0.0.1', '8080')
    .option('--data <dir>', 'folder for the database, admin token and spool', '.gilbench')
    .option('-p, --profile <name>', 'sampling profile of the local run', 'quick')
    .option('-s, --suite <names>', 'suites of the local run', 'single-thread,scaling,calls,locks')
    .option('-m, --mode <modes>', 'modes of the local run', 'gil,nogil,ft-gil')
    .option('--no-run', 'only serve what the database holds')
    .option(
      '--public-url <url>',
      "where readers reach the server (e.g. https://bench.example.org behind a TLS proxy): the base of the feeds' links",
      parsePublicUrl,
    )
    .action(async (o) => {
      process.exitCode = await start({
        port: parsePort(o.port),
        dataDir: resolve(o.data),
        profile: o.profile,
        suites: String(o.suite).split(',').filter(Boolean),
        modes: String(o.mode).split(',').filter(Boolean),
        run: o.run !== false,
        publicUrl: o.publicUrl,
      });
    });
}
