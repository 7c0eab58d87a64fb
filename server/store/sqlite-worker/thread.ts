/**
 * The store's own thread: opens the SQLite store and answers calls from the
 * event loop, one at a time (better-sqlite3 is synchronous), so a statement
 * that waits for a lock waits here and never on the loop. A statement waits at
 * most `busyTimeoutMs` for another process's lock; then the call is tried
 * again after a short pause (each method is one atomic step, so a call that
 * failed busy stored nothing), and the calls queued meanwhile run in that
 * pause: reads go on while a write waits. After `busyBudgetMs` the busy error
 * is the answer (the app answers 503).
 *
 * @example
 * new Worker(new URL('./thread.mjs', import.meta.url), { workerData: { file, busyTimeoutMs: 50, busyBudgetMs: 30_000 } });
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';
import type { Store } from '../core/store.ts';
import { openSqliteStore } from '../sqlite/index.ts';
import { type Call, encodeError, isBusy, type Reply, type Request, type ThreadOptions } from './protocol.ts';

if (!parentPort) throw new Error('server/store/sqlite-worker/thread.ts runs as a worker thread');
const port = parentPort;
const options = workerData as ThreadOptions;
const send = (reply: Reply) => port.postMessage(reply);

/** A subject's methods: its class's, up the prototype chain. */
function methodsOf(subject: object): string[] {
  const names = new Set<string>();
  for (
    let proto = Object.getPrototypeOf(subject);
    proto && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto)
  ) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name !== 'constructor' && typeof (subject as Record<string, unknown>)[name] === 'function') names.add(name);
    }
  }
  for (const [name, value] of Object.entries(subject)) if (typeof value === 'function') names.add(name);
  return [...names];
}

function open(): Store | null {
  try {
    return openSqliteStore(options.file, { busyTimeoutMs: options.busyTimeoutMs });
  } catch (err) {
    // Said, then the thread ends by itself once the message is out (process.exit could drop it).
    send({ kind: 'open-failed', error: encodeError(err) });
    port.close();
    return null;
  }
}

const opened = open();
if (opened) serve(opened);

function serve(store: Store): void {
  const subjects: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(store)) {
    if (value !== null && typeof value === 'object') subjects[name] = methodsOf(value);
  }

  async function answer(call: Call): Promise<unknown> {
    const subject = (store as unknown as Record<string, Record<string, (...args: unknown[]) => unknown>>)[call.subject];
    const method = subject?.[call.method];
    if (typeof method !== 'function') throw new TypeError(`the store has no method ${call.subject}.${call.method}`);
    const deadline = Date.now() + options.busyBudgetMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await method.apply(subject, call.args);
      } catch (err) {
        if (!isBusy(err) || Date.now() >= deadline) throw err;
        // 5, 10, 20, 40, then 50 ms, with jitter so retries of several calls spread out.
        await sleep(Math.min(50, 5 * 2 ** attempt) * (0.5 + Math.random()));
      }
    }
  }

  port.on('message', (request: Request) => {
    if ('close' in request) {
      void store.close().finally(() => {
        send({ kind: 'answer', id: request.id, value: null });
        port.close();
      });
      return;
    }
    answer(request).then(
      (value) => {
        try {
          send({ kind: 'answer', id: request.id, value });
        } catch (err) {
          // An answer that is not plain data (a store bug): said, not lost.
          send({ kind: 'failed', id: request.id, error: encodeError(err) });
        }
      },
      (err: unknown) => send({ kind: 'failed', id: request.id, error: encodeError(err) }),
    );
  });

  send({ kind: 'ready', location: store.location, subjects });
}
