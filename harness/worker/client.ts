/**
 * The TypeScript side of the runtime worker protocol (see worker.py).
 *
 * One `WorkerProcess` is one long-lived interpreter process. Requests are
 * answered in order; each has a timeout, and a worker that crashes, hangs or
 * writes something that is not JSON is killed and turned into a `WorkerError`
 * that carries the tail of its stderr.
 *
 * @example
 * const w = await WorkerProcess.start({ python: '/usr/bin/python3', env: {} });
 * await w.request({ cmd: 'load', file: 'suites/selftest/suite.py', benchmark: 'empty', params: {} });
 * const { ns } = await w.request<{ ns: number }>({ cmd: 'sample', loops: 1000 });
 * await w.close();
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const WORKER_SCRIPT = fileURLToPath(new URL('./worker.py', import.meta.url));

/** How much of a worker's stderr is kept for error reports. */
const STDERR_TAIL_BYTES = 4000;

export type WorkerErrorKind = 'benchmark' | 'crash' | 'timeout' | 'protocol';

/** A worker request that failed; `stderrTail` is what the interpreter printed last. */
export class WorkerError extends Error {
  override name = 'WorkerError';
  constructor(
    readonly kind: WorkerErrorKind,
    message: string,
    readonly stderrTail: string,
  ) {
    super(message);
  }
}

export interface WorkerOptions {
  python: string;
  /** Added to the parent's environment (e.g. `{ PYTHON_GIL: '0' }`). */
  env: Record<string, string>;
  /** Variables removed from the inherited environment (e.g. PYTHON_GIL for the `gil` mode). */
  unsetEnv?: string[];
  /** Default timeout per request, in ms. */
  timeoutMs?: number;
}

interface Pending {
  resolve: (value: Record<string, unknown>) => void;
  reject: (err: WorkerError) => void;
  timer: NodeJS.Timeout;
}

export class WorkerProcess {
  readonly pid: number;
  #child: ChildProcessWithoutNullStreams;
  #stderr = '';
  #buffer = '';
  #nextId = 1;
  #pending = new Map<number, Pending>();
  #failure: WorkerError | null = null;
  #timeoutMs: number;
  #exited: Promise<void>;

  private constructor(child: ChildProcessWithoutNullStreams, timeoutMs: number) {
    this.#child = child;
    this.pid = child.pid ?? -1;
    this.#timeoutMs = timeoutMs;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => this.#onStdout(chunk));
    child.stderr.on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-STDERR_TAIL_BYTES);
    });
    this.#exited = new Promise((resolve) => {
      child.on('close', (code, signal) => {
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        this.#fail(new WorkerError('crash', `the worker process ${how}`, this.#stderr));
        resolve();
      });
    });
    child.on('error', (err) => this.#fail(new WorkerError('crash', `could not start the worker: ${err.message}`, '')));
    child.stdin.on('error', () => {}); // a dead worker's stdin: reported by 'close'
  }

  /** Starts an interpreter running worker.py; resolves once it has said hello. */
  static async start(opts: WorkerOptions): Promise<{ worker: WorkerProcess; hello: WorkerHello }> {
    const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' };
    for (const name of opts.unsetEnv ?? []) delete env[name];
    const child = spawn(opts.python, ['-X', 'utf8', WORKER_SCRIPT], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const worker = new WorkerProcess(child, opts.timeoutMs ?? 60_000);
    const hello = (await worker.request({ cmd: 'hello' }, 30_000)) as unknown as WorkerHello;
    return { worker, hello };
  }

  /** Sends one request; rejects with a WorkerError on an error reply, crash, timeout or garbage. */
  request<T = Record<string, unknown>>(body: Record<string, unknown>, timeoutMs = this.#timeoutMs): Promise<T> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#fail(
          new WorkerError('timeout', `'${String(body.cmd)}' did not answer within ${timeoutMs} ms`, this.#stderr),
        );
      }, timeoutMs);
      this.#pending.set(id, { resolve: resolve as (v: Record<string, unknown>) => void, reject, timer });
      this.#child.stdin.write(`${JSON.stringify({ ...body, id })}\n`);
    });
  }

  /** The last bytes the worker wrote to stderr (including the benchmark's prints). */
  get stderrTail(): string {
    return this.#stderr;
  }

  /** Asks the worker to tear its case down and exit; kills it if it does not. */
  async close(): Promise<void> {
    if (!this.#failure) {
      await this.request({ cmd: 'exit' }, 10_000).catch(() => {});
    }
    this.kill();
    await this.#exited;
  }

  /** Kills the process at once (SIGKILL): used for hangs, crashes and Ctrl-C. */
  kill(): void {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGKILL');
  }

  #onStdout(chunk: string): void {
    this.#buffer += chunk;
    let newline = this.#buffer.indexOf('\n');
    while (newline >= 0) {
      const line = this.#buffer.slice(0, newline).trim();
      this.#buffer = this.#buffer.slice(newline + 1);
      if (line) this.#onLine(line);
      newline = this.#buffer.indexOf('\n');
    }
  }

  #onLine(line: string): void {
    let reply: Record<string, unknown>;
    try {
      reply = JSON.parse(line);
    } catch {
      this.#fail(
        new WorkerError('protocol', `the worker wrote a line that is not JSON: ${line.slice(0, 200)}`, this.#stderr),
      );
      return;
    }
    const pending = this.#pending.get(reply.id as number);
    if (!pending) {
      this.#fail(
        new WorkerError('protocol', `the worker answered an unknown request id ${String(reply.id)}`, this.#stderr),
      );
      return;
    }
    this.#pending.delete(reply.id as number);
    clearTimeout(pending.timer);
    if (reply.ok === true) pending.resolve(reply);
    else {
      const kind = reply.kind === 'protocol' ? 'protocol' : 'benchmark';
      const detail = typeof reply.traceback === 'string' ? `\n${reply.traceback}` : '';
      pending.reject(new WorkerError(kind, String(reply.error), `${this.#stderr}${detail}`.slice(-STDERR_TAIL_BYTES)));
    }
  }

  /** Fails every pending request and kills the process: nothing after a failure is trusted. */
  #fail(err: WorkerError): void {
    if (!this.#failure) this.#failure = err;
    for (const [id, pending] of this.#pending) {
      clearTimeout(pending.timer);
      pending.reject(new WorkerError(err.kind, err.message, this.#stderr));
      this.#pending.delete(id);
    }
    this.kill();
  }
}

/** What a worker reports about its interpreter when it starts. */
export interface WorkerHello {
  python: string;
  version: string;
  implementation: string;
  gil_enabled: boolean;
  usable_cores: number;
  pid: number;
  timer_resolution_ns: number;
}
