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
export const GILBENCH_BIN = fileURLToPath(new URL('../harness/cli/bin.mjs', import.meta.url));

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
export function startCli(args: string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  const child = spawn(process.execPath, [GILBENCH_BIN, ...args], {
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
