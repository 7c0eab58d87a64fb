/**
 * The one way tests start a `gilbench server` process: on 127.0.0.1, a
 * database file, the one test admin token, and a register of what was
 * started so an afterAll can kill what is left (by pid); plus an admin API
 * call that must succeed.
 *
 * @example
 * const server = await startGilbench(join(dir, 'db.sqlite'));
 * const { token } = await api(server.url, 'POST', '/tokens', { role: 'enroll' });
 * expect(await server.stop()).toBe(0);
 */
import type { ChildProcess } from 'node:child_process';
import { type CliProcess, descendants, startCli } from '../../harness/test-support/index.ts';

/** The admin token test servers start with (GILBENCH_ADMIN_TOKEN). */
export const ADMIN_TOKEN = 'gilbench-test-admin-token-0123456789';

/** A `gilbench server` process on 127.0.0.1. */
export interface ServerProcess {
  url: string;
  port: number;
  /** The process, its output and its end. */
  cli: CliProcess;
  child: ChildProcess;
  /** stdout and stderr so far, in the order they arrived. */
  output(): string;
  /** Sends `signal` (SIGTERM; SIGKILL for a crash) and waits for the exit; resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number>;
}

export interface StartOptions {
  /** `--host`; null leaves the flag out (the default a user gets). */
  host?: string | null;
  /** Port to listen on; 0 (the default) picks a free one. Pass the old port to restart where clients expect it. */
  port?: number;
  /** Admin token to start with; null starts without one (the server then makes and prints its own). */
  adminToken?: string | null;
  /** Serve the dashboard too (browser tests); off by default. */
  web?: boolean;
  /** More `gilbench server` flags, e.g. `--public`. */
  args?: string[];
  env?: Record<string, string>;
}

/**
 * Starts `gilbench server` on a database file and resolves once it listens.
 * @example const server = await startGilbench(join(dir, 'db.sqlite'), { args: ['--public'] });
 */
export async function startGilbench(db: string, opts: StartOptions = {}): Promise<ServerProcess> {
  const token = opts.adminToken === undefined ? ADMIN_TOKEN : opts.adminToken;
  const host = opts.host === undefined ? ['--host', '127.0.0.1'] : opts.host === null ? [] : ['--host', opts.host];
  const args = ['server', ...host, '--port', String(opts.port ?? 0), '--db', db];
  const cli = startCli([...args, ...(opts.web ? [] : ['--no-web']), ...(opts.args ?? [])], {
    ...(token === null ? {} : { GILBENCH_ADMIN_TOKEN: token }),
    ...opts.env,
  });
  track(cli.child);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`gilbench server did not start within 60 s:\n${cli.output()}`)),
      60_000,
    );
    const onData = () => {
      const match = /listening on (http:\/\/\S+?:\d+)/.exec(cli.stdout());
      if (match) {
        clearTimeout(timer);
        cli.child.stdout!.off('data', onData);
        resolve(match[1]!);
      }
    };
    cli.child.stdout!.on('data', onData);
    void cli.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`gilbench server exited with ${code}:\n${cli.output()}`));
    });
  });
  return {
    url,
    port: Number(new URL(url).port),
    cli,
    child: cli.child,
    output: cli.output,
    stop: async (signal = 'SIGTERM') => {
      if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill(signal);
      return cli.exited;
    },
  };
}

/**
 * One API call with a token (the admin's by default); throws with the server's answer on a non-2xx.
 * @example const { job } = await api(url, 'POST', '/jobs', { suites: ['selftest'], modes: ['gil'] });
 */
export async function api(
  url: string,
  method: string,
  endpoint: string,
  body?: unknown,
  token = ADMIN_TOKEN,
  // biome-ignore lint/suspicious/noExplicitAny: a test helper; callers read the fields they asked for
): Promise<any> {
  const response = await fetch(`${url}/api/v1${endpoint}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${endpoint}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

// ------------------------------------------------------------------ processes

const started = new Set<ChildProcess>();

/**
 * Remembers a child process so `killStarted()` ends it; returns it.
 * @example track(spawn(process.execPath, [GILBENCH_BIN, 'agent', ...]));
 */
export function track<T extends ChildProcess>(child: T): T {
  started.add(child);
  child.once('exit', () => started.delete(child));
  return child;
}

/**
 * SIGKILLs a process and its descendants, by pid, and waits for its exit.
 * @example await killHard(server.child);
 */
export async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const below = descendants(child.pid);
  child.kill('SIGKILL');
  for (const pid of below) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // ended meanwhile
    }
  }
  await exited;
}

/** Kills every tracked process that still runs (for afterAll). */
export async function killStarted(): Promise<void> {
  await Promise.all([...started].map(killHard));
}
