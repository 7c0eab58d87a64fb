/**
 * The TypeScript side of the runtime worker protocol (see worker.py).
 *
 * One `WorkerProcess` is one long-lived interpreter process. Requests are
 * answered in order; each has a timeout, and a worker that crashes, hangs or
 * writes something that is not JSON, or a reply that is not what the
 * protocol (protocol.ts) says its command answers, is killed and turned into
 * a `WorkerError` that carries the tail of its stderr.
 *
 * @example
 * const w = await WorkerProcess.start({ python: '/usr/bin/python3', env: {} });
 * await w.request({ cmd: 'load', file: 'suites/selftest/suite.py', benchmark: 'empty', params: {} });
 * const { ns } = await w.request({ cmd: 'sample', loops: 1000 }); // typed by the 'sample' reply
 * await w.close();
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  checkReply,
  requestProblem,
  type WorkerCommand,
  WorkerFailureReply,
  type WorkerHello,
  type WorkerReply,
  type WorkerRequest,
} from './protocol.ts';

export type { WorkerHello };

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
  /** The command asked: its reply is checked against that command's schema. */
  cmd: WorkerCommand;
  resolve: (value: unknown) => void;
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
    const hello = await worker.request({ cmd: 'hello' }, 30_000);
    return { worker, hello };
  }

  /**
   * Sends one request; resolves with the reply's fields, checked against its command's schema.
   * Rejects with a WorkerError on an error reply, crash, timeout, garbage or a malformed reply.
   */
  request<C extends WorkerCommand>(body: WorkerRequest<C>, timeoutMs = this.#timeoutMs): Promise<WorkerReply<C>> {
    if (this.#failure) return Promise.reject(this.#failure);
    // A request the protocol does not know is the caller's mistake: nothing is sent, the worker lives on.
    const problem = requestProblem(body);
    if (problem) return Promise.reject(new WorkerError('protocol', problem, this.#stderr));
    const id = this.#nextId++;
    return new Promise<WorkerReply<C>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#fail(
          new WorkerError('timeout', `'${String(body.cmd)}' did not answer within ${timeoutMs} ms`, this.#stderr),
        );
      }, timeoutMs);
      this.#pending.set(id, { cmd: body.cmd, resolve: resolve as (v: unknown) => void, reject, timer });
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
    if (reply === null || typeof reply !== 'object' || Array.isArray(reply)) {
      this.#fail(
        new WorkerError(
          'protocol',
          `the worker wrote JSON that is not a reply object: ${line.slice(0, 200)}`,
          this.#stderr,
        ),
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
    if (reply.ok === true) {
      const checked = checkReply(pending.cmd, reply);
      if (checked.problem === undefined) pending.resolve(checked.data);
      else this.#malformed(pending, `the worker's ${checked.problem}`);
      return;
    }
    const failure = WorkerFailureReply.safeParse(reply);
    if (!failure.success) {
      this.#malformed(
        pending,
        `the worker's reply to '${pending.cmd}' is neither a result nor an error: ${line.slice(0, 200)}`,
      );
      return;
    }
    const { kind, error, traceback } = failure.data;
    const detail = traceback === undefined ? '' : `\n${traceback}`;
    pending.reject(new WorkerError(kind, error, `${this.#stderr}${detail}`.slice(-STDERR_TAIL_BYTES)));
  }

  /** A reply of the wrong shape: the request fails, and so does the worker (nothing after it is trusted). */
  #malformed(pending: Pending, message: string): void {
    const err = new WorkerError('protocol', message, this.#stderr);
    pending.reject(err);
    this.#fail(err);
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
