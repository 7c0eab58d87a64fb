/**
 * A bounded queue in front of a costly route (uploads): at most `concurrency`
 * requests are inside it at once, at most `maxQueue` more wait their turn,
 * and one past that is answered 503 with `Retry-After` at once, before its
 * body is read (the agent retries with backoff and honours it). The body
 * waits in the socket meanwhile, so a crowd of uploaders costs the event
 * loop nothing until each is let in, and readers keep their turns.
 *
 * @example
 * const uploads = boundedQueue({ concurrency: 2, maxQueue: 32 });
 * app.post('/api/v1/runs', uploads.middleware, handler);
 */
import type { MiddlewareHandler } from 'hono';
import pLimit from 'p-limit';

export interface QueueOptions {
  /** Requests handled at once (default 2). */
  concurrency?: number;
  /** Requests that may wait for a turn before the next is refused (default 32). */
  maxQueue?: number;
  /** What `Retry-After` says to a refused request, in seconds (default 2). */
  retryAfterSeconds?: number;
}

export const QUEUE_DEFAULTS = { concurrency: 2, maxQueue: 32, retryAfterSeconds: 2 } as const;

export interface BoundedQueue {
  middleware: MiddlewareHandler;
  /** Requests inside and waiting, and how many were refused so far. */
  load(): { active: number; waiting: number; refused: number };
}

/** The queue (see the module comment); options are checked here, so a mistake throws at start-up. */
export function boundedQueue(opts: QueueOptions = {}): BoundedQueue {
  const concurrency = opts.concurrency ?? QUEUE_DEFAULTS.concurrency;
  const maxQueue = opts.maxQueue ?? QUEUE_DEFAULTS.maxQueue;
  const retryAfter = opts.retryAfterSeconds ?? QUEUE_DEFAULTS.retryAfterSeconds;
  if (!(Number.isInteger(concurrency) && concurrency >= 1))
    throw new RangeError(`concurrency must be a whole number >= 1, got ${concurrency}`);
  if (!(Number.isInteger(maxQueue) && maxQueue >= 0))
    throw new RangeError(`maxQueue must be a whole number >= 0, got ${maxQueue}`);
  if (!(Number.isInteger(retryAfter) && retryAfter >= 1))
    throw new RangeError(`retryAfterSeconds must be a whole number >= 1, got ${retryAfter}`);
  const limit = pLimit(concurrency);
  let refused = 0;
  return {
    middleware: async (c, next) => {
      if (limit.activeCount + limit.pendingCount >= concurrency + maxQueue) {
        refused++;
        c.header('retry-after', String(retryAfter));
        return c.json(
          {
            error: 'unavailable',
            detail: `the server is busy with ${concurrency + maxQueue} uploads; try again shortly`,
          },
          503,
        );
      }
      await limit(() => next());
    },
    load: () => ({ active: limit.activeCount, waiting: limit.pendingCount, refused }),
  };
}
