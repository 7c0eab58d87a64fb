/**
 * Helpers shared by the agent's tests: a small valid run document,
 * temporary folders that clean up after themselves, and real `gilbench`
 * processes with their output.
 *
 * @example const doc = sampleRun({ jobId: '3' });
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { constants as osConstants, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { basicMachine } from '../harness/machine.ts';
import { RUN_SCHEMA, type RunDocument } from '../harness/schema.ts';

/** A minimal run document that passes the schema: one mode, one result of three samples. */
export function sampleRun(overrides: Partial<RunDocument> = {}): RunDocument {
  const startedAt = new Date().toISOString();
  return {
    schema: RUN_SCHEMA,
    id: randomUUID(),
    startedAt,
    finishedAt: startedAt,
    profile: 'quick',
    gilbenchVersion: '0.1.0',
    machine: basicMachine(1),
    jobId: null,
    modes: [
      {
        id: 'cpython-3.13.5/gil',
        mode: 'gil',
        env: {},
        runtime: {
          id: 'cpython-3.13.5',
          implementation: 'cpython',
          version: '3.13.5',
          freeThreaded: false,
          gilEnabledByDefault: true,
          configureArgs: '',
          compiler: 'GCC',
          revision: null,
          executable: '/usr/bin/python3.13',
          sha256: 'a'.repeat(64),
        },
      },
    ],
    suites: [{ name: 'selftest', description: '', benchmarks: [] }],
    results: [
      {
        suite: 'selftest',
        benchmark: 'empty',
        params: {},
        mode: 'cpython-3.13.5/gil',
        status: 'ok',
        unit: 'ns',
        samples: [10, 11, 12],
        loopCostNs: 1,
        loops: 1000,
        opsPerLoop: 1,
        processes: 1,
        stats: { n: 3, mean: 10, median: 10, min: 9, max: 11, sd: 1, ciLow: 9, ciHigh: 11, margin: 0.1 },
        peakRssBytes: null,
        checksum: null,
        gil: { afterLoad: true, afterRun: true },
        load: { before: null, after: null },
        wallMs: 5,
        warnings: [],
        error: null,
      },
    ],
    warnings: [],
    ...overrides,
  };
}

/** A fresh temporary folder and a function that removes it. */
export function tempDir(prefix = 'gilbench-agent-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The repository's `gilbench` executable. */
export const GILBENCH_BIN = fileURLToPath(new URL('../cli/bin.mjs', import.meta.url));

/** A running `gilbench` process: its output so far, line by line, and its end. */
export interface CliProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (or 128 + signal number). */
  exited: Promise<number>;
  /** Resolves when a stderr line matches (rejects if the process ends first or the time runs out). */
  waitForLine: (pattern: RegExp, timeoutMs?: number) => Promise<string>;
}

/**
 * Starts `gilbench <args>` as a real process.
 * @example const agent = startCli(['agent', '--once', '--suite', 'selftest']); await agent.exited;
 */
export function startCli(args: string[], env: NodeJS.ProcessEnv = {}, prefix: string[] = []): CliProcess {
  // A prefix such as `taskset -c 0` runs the process on fewer cores: another machine to the server.
  const [command, ...rest] = [...prefix, process.execPath, GILBENCH_BIN, ...args];
  const child = spawn(command!, rest, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  const check = () => {
    for (const waiter of [...waiters]) {
      const line = err.split('\n').find((l) => waiter.pattern.test(l));
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  };
  child.stdout!.on('data', (chunk) => {
    out += chunk;
  });
  child.stderr!.on('data', (chunk) => {
    err += chunk;
    check();
  });
  const exited = new Promise<number>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? osConstants.signals[signal] : 0)));
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForLine: (pattern, timeoutMs = 120_000) =>
      new Promise<string>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${err}`)),
          timeoutMs,
        );
        const done = (line: string) => {
          clearTimeout(timer);
          resolve(line);
        };
        waiters.push({ pattern, resolve: done });
        check();
        void exited.then((code) => {
          clearTimeout(timer);
          if (waiters.some((w) => w.resolve === done)) {
            reject(new Error(`the process exited (${code}) before a line matched ${pattern}:\n${err}`));
          }
        });
      }),
  };
}

/** Pids of every living descendant of a process (Linux /proc). */
export function descendants(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] !== 'Z') parents.set(Number(name), Number(fields[1]));
    } catch {
      // the process ended meanwhile
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const [child, ppid] of parents) {
      if (ppid === parent) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

/** Whether a process still runs (and is not a zombie). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** The admin token the test servers start with (GILBENCH_ADMIN_TOKEN). */
export const ADMIN_TOKEN = 'gilbench-test-admin-token-0123456789';

/** A `gilbench server` process on 127.0.0.1. */
export interface ServerProcess {
  url: string;
  port: number;
  cli: CliProcess;
  /** Stops it (SIGTERM, or SIGKILL for a crash) and waits for the exit. */
  stop: (signal?: NodeJS.Signals) => Promise<void>;
}

/**
 * Starts `gilbench server` on a database file; port 0 picks a free one (pass the
 * same port again to restart it where agents expect it).
 * @example const server = await startServerProcess(path.join(dir, 'db.sqlite'));
 */
export async function startServerProcess(db: string, port = 0): Promise<ServerProcess> {
  const cli = startCli(['server', '--port', String(port), '--db', db, '--no-web'], {
    GILBENCH_ADMIN_TOKEN: ADMIN_TOKEN,
  });
  const started = await new Promise<number>((resolve, reject) => {
    const onData = () => {
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(cli.stdout());
      if (match) {
        cli.child.stdout!.off('data', onData);
        resolve(Number(match[1]));
      }
    };
    cli.child.stdout!.on('data', onData);
    void cli.exited.then((code) => reject(new Error(`the server exited (${code}):\n${cli.stderr()}`)));
  });
  return {
    url: `http://127.0.0.1:${started}`,
    port: started,
    cli,
    stop: async (signal = 'SIGTERM') => {
      if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill(signal);
      await cli.exited;
    },
  };
}

/**
 * One API call with a token; throws with the server's answer on a non-2xx.
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

/** Polls `check` until it returns a value other than undefined (or the time runs out). */
export async function waitFor<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 120_000,
  what = 'a condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A request seen by the recording proxy. */
export interface ProxiedRequest {
  at: number;
  method: string;
  url: string;
}

/** An HTTP proxy in front of a server: records every request's arrival time, and can drop answers. */
export interface RecordingProxy {
  url: string;
  requests: ProxiedRequest[];
  /** Called with each upstream answer; return true to drop it (the client's connection is cut instead). */
  dropAnswer: ((request: ProxiedRequest, status: number) => boolean) | null;
  close: () => Promise<void>;
}

/**
 * Starts a proxy on 127.0.0.1 that forwards to `upstreamPort()` (read per request, so a
 * restarted server can move). An unreachable upstream is answered 502.
 */
export async function startRecordingProxy(upstreamPort: () => number): Promise<RecordingProxy> {
  const proxy: RecordingProxy = { url: '', requests: [], dropAnswer: null, close: async () => {} };
  const server = createServer((req, res) => {
    const seen: ProxiedRequest = { at: Date.now(), method: req.method ?? '', url: req.url ?? '' };
    proxy.requests.push(seen);
    const upstream = httpRequest(
      { host: '127.0.0.1', port: upstreamPort(), method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          if (proxy.dropAnswer?.(seen, answer.statusCode ?? 0)) {
            res.socket?.destroy();
            return;
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers).end(Buffer.concat(chunks));
        });
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'bad-gateway', detail: 'the server is down' }));
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return proxy;
}
