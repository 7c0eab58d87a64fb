/**
 * Real `gilbench` processes for tests, and the processes below them (from
 * Linux /proc): start one and read its output line by line, run one to its
 * end, see whether a pid still lives, find a process's descendants.
 *
 * @example
 * const agent = startCli(['agent', '--once', '--suite', 'selftest']);
 * await agent.waitForLine(/uploaded/);
 * const { code, stderr } = await runCli(['run', '--suite', 'nope']);
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { fileURLToPath } from 'node:url';

/** The repository's `gilbench` executable (the one place tests name it). */
export const GILBENCH_BIN = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url));

/** A running `gilbench` process: its output so far, line by line, and its end. */
export interface CliProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** stdout and stderr together, in the order they arrived. */
  output: () => string;
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
  let both = '';
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
    both += chunk;
  });
  child.stderr!.on('data', (chunk) => {
    err += chunk;
    both += chunk;
    check();
  });
  const exited = new Promise<number>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? osConstants.signals[signal] : 0)));
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    output: () => both,
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

/**
 * Runs `gilbench ...args` to its end (in `cwd`; killed after `timeoutMs`, which answers code null);
 * resolves with its exit code and output.
 * @example const { code, stderr } = await runCli(['server', 'token', 'create', '--role', 'nope']);
 */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
  opts: { cwd?: string; timeoutMs?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [GILBENCH_BIN, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: opts.cwd,
    });
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : null;
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    child.once('exit', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** State and parent pid of a process, from /proc (null when it is gone). */
function procStat(pid: number | string): { state: string; ppid: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0]!, ppid: Number(fields[1]) };
  } catch {
    return null;
  }
}

/** Whether a process still runs (a zombie counts as ended). */
export function alive(pid: number): boolean {
  const stat = procStat(pid);
  return stat !== null && stat.state !== 'Z';
}

/** Pids of every living descendant of a process (its interpreters, for an agent). */
export function descendants(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = procStat(name); // null: the process ended meanwhile
    if (stat && stat.state !== 'Z') parents.set(Number(name), stat.ppid);
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const [child, ppid] of parents) {
      if (ppid === parent && !found.includes(child)) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

/**
 * Polls `check` until it returns a value other than undefined (or the time runs out).
 * @example const job = await waitFor(async () => (await getJob(id)).status === 'completed' || undefined);
 */
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
