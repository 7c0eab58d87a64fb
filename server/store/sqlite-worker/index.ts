/**
 * The SQLite store in a worker thread, behind the same async contract
 * (`server/store/core/`): every call is posted to the thread (thread.ts),
 * which runs it on its own connection, so a statement waiting for another
 * process's lock, or a long transaction, never holds the server's event loop.
 * Busy waits are short and retried in the thread (see thread.ts). The methods
 * are the ones the thread's store has, so a method added to a SQLite subject
 * is proxied without a change here.
 *
 * Arguments and answers are plain data (the contract's rule), copied by
 * structured clone; binary comes back as `Uint8Array`.
 *
 * @example
 * const store = await openSqliteWorkerStore('gilbench.db');
 * const runs = await store.runs.list({ limit: 10 });
 * await store.close();
 */
import { Worker } from 'node:worker_threads';
import type { Store } from '../core/store.ts';
import { type Call, decodeError, type Reply, type Request, type ThreadOptions } from './protocol.ts';

export interface SqliteWorkerOptions {
  /** How long one statement waits for another process's lock before the thread retries it (default 50 ms). */
  busyTimeoutMs?: number;
  /** How long one call keeps retrying a busy database before failing with SQLITE_BUSY (default 30 s). */
  busyBudgetMs?: number;
}

export const SQLITE_WORKER_DEFAULTS = { busyTimeoutMs: 50, busyBudgetMs: 30_000 } as const;

/** Opens (creating and migrating if needed) the database file in a thread of its own; resolves once it is open. */
export async function openSqliteWorkerStore(file: string, opts: SqliteWorkerOptions = {}): Promise<Store> {
  const busyTimeoutMs = opts.busyTimeoutMs ?? SQLITE_WORKER_DEFAULTS.busyTimeoutMs;
  const busyBudgetMs = opts.busyBudgetMs ?? SQLITE_WORKER_DEFAULTS.busyBudgetMs;
  if (!(Number.isFinite(busyTimeoutMs) && busyTimeoutMs >= 0))
    throw new RangeError(`busyTimeoutMs must be >= 0, got ${busyTimeoutMs}`);
  if (!(Number.isFinite(busyBudgetMs) && busyBudgetMs >= 0))
    throw new RangeError(`busyBudgetMs must be >= 0, got ${busyBudgetMs}`);
  const workerData: ThreadOptions = { file, busyTimeoutMs, busyBudgetMs };
  const worker = new Worker(new URL('./thread.mjs', import.meta.url), { workerData });

  const pending = new Map<number, { resolve(value: unknown): void; reject(err: Error): void }>();
  let nextId = 1;
  let stopped: Error | null = null;
  // The thread keeps the process alive only while an answer is awaited: a tool that forgets close() still exits.
  const settle = (id: number) => {
    const entry = pending.get(id);
    pending.delete(id);
    if (pending.size === 0) worker.unref();
    return entry;
  };
  const failAll = (err: Error) => {
    stopped ??= err;
    for (const id of [...pending.keys()]) settle(id)?.reject(err);
  };

  const ready = new Promise<Extract<Reply, { kind: 'ready' }>>((resolve, reject) => {
    worker.on('message', (reply: Reply) => {
      if (reply.kind === 'ready') resolve(reply);
      else if (reply.kind === 'open-failed') reject(decodeError(reply.error));
      else if (reply.kind === 'answer') settle(reply.id)?.resolve(reply.value);
      else settle(reply.id)?.reject(decodeError(reply.error));
    });
    worker.on('error', (err) => {
      reject(err);
      failAll(err);
    });
    worker.on('exit', (code) => {
      const err = new Error(`the database thread stopped (exit code ${code})`);
      reject(err);
      failAll(err);
    });
  });

  const post = (request: Request): Promise<unknown> => {
    if (stopped) return Promise.reject(stopped);
    return new Promise((resolve, reject) => {
      if (pending.size === 0) worker.ref();
      pending.set(request.id, { resolve, reject });
      try {
        worker.postMessage(request);
      } catch (err) {
        // Arguments that are not plain data (DataCloneError): the caller's mistake, said at once.
        settle(request.id)?.reject(err as Error);
      }
    });
  };
  const call = (subject: string, method: string, args: unknown[]) =>
    post({ id: nextId++, subject, method, args } satisfies Call);

  const opened = await ready.catch(async (err: Error) => {
    await worker.terminate();
    throw err;
  });
  worker.unref();

  const subjects: Record<string, Record<string, (...args: unknown[]) => Promise<unknown>>> = {};
  for (const [subject, methods] of Object.entries(opened.subjects)) {
    subjects[subject] = Object.fromEntries(
      methods.map((method) => [method, (...args: unknown[]) => call(subject, method, args)]),
    );
  }
  let closing: Promise<void> | null = null;
  return {
    ...(subjects as unknown as Omit<Store, 'kind' | 'location' | 'close'>),
    kind: 'sqlite',
    location: opened.location,
    close() {
      closing ??= (async () => {
        if (!stopped) {
          const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
          await post({ id: nextId++, close: true }).catch(() => {});
          stopped = new Error('the store is closed');
          // A thread that does not end by itself within 5 s is ended.
          const timer = setTimeout(() => void worker.terminate(), 5000);
          await exited;
          clearTimeout(timer);
        }
      })();
      return closing;
    },
  };
}
