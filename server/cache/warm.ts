/**
 * Answers computed ahead of their first reader, at low priority: one at a
 * time, at most `maxPending` waiting or running (an offer past that is
 * skipped), and a task whose turn comes while `busy()` says the compute pool
 * has readers' work (or uploads are streaming in) waits up to `patienceMs` for
 * it to clear, then is dropped (its reader computes it). Best-effort: a
 * failed task is logged and forgotten.
 *
 * @example
 * const warmer = createAnswerWarmer({ busy: () => pool.load().running > 0 });
 * warmer.offer(() => answers.get(key, [id], compute));
 */
import pLimit from 'p-limit';

export interface AnswerWarmerOptions {
  /** Tasks waiting or running before the next offer is skipped (default 8: two uploads' answers; each offers four). */
  maxPending?: number;
  /** Whether the pool is busy with readers' work: a task whose turn comes then is dropped (default: never busy). */
  busy?: () => boolean;
  /** Where a failed task is said (default stderr). */
  log?: (line: string) => void;
  /** How long a task whose turn came while busy waits for the pool to clear before it is dropped, in ms (default 2,000). */
  patienceMs?: number;
}

export const ANSWER_WARMER_DEFAULTS = { maxPending: 8, patienceMs: 2_000 } as const;

/** How often a waiting task looks at `busy()` again. */
const RECHECK_MS = 50;

export interface AnswerWarmer {
  /** Queues `task` unless `maxPending` wait or run, or the warmer is closed; false when skipped. */
  offer(task: () => Promise<unknown>): boolean;
  /** Tasks waiting or running (what /health calls `warming`). */
  pending(): number;
  /** Drops what waits and resolves when the running task is done; later offers are skipped. */
  close(): Promise<void>;
}

/** The warmer (see the module comment); options are checked here. */
export function createAnswerWarmer(opts: AnswerWarmerOptions = {}): AnswerWarmer {
  const maxPending = opts.maxPending ?? ANSWER_WARMER_DEFAULTS.maxPending;
  if (!(Number.isInteger(maxPending) && maxPending >= 1))
    throw new RangeError(`maxPending must be a whole number >= 1, got ${maxPending}`);
  const busy = opts.busy ?? (() => false);
  const patienceMs = opts.patienceMs ?? ANSWER_WARMER_DEFAULTS.patienceMs;
  if (!(Number.isFinite(patienceMs) && patienceMs >= 0))
    throw new RangeError(`patienceMs must be >= 0, got ${patienceMs}`);
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const limit = pLimit(1);
  const running = new Set<Promise<unknown>>();
  let closed = false;

  return {
    offer(task) {
      // The pool is judged when the task's turn comes, not here: then no other task of ours is in it.
      if (closed || limit.activeCount + limit.pendingCount >= maxPending) return false;
      const done = limit(async () => {
        // The upload that offered the task is usually still finishing: wait a little for it.
        for (let waited = 0; busy(); waited += RECHECK_MS) {
          if (closed || waited >= patienceMs) return;
          await new Promise((resolve) => setTimeout(resolve, RECHECK_MS));
        }
        if (closed) return;
        try {
          await task();
        } catch (err) {
          log(`gilbench server: computing an answer ahead of its readers failed: ${(err as Error).message}`);
        }
      });
      running.add(done);
      void done.finally(() => running.delete(done));
      return true;
    },
    pending: () => limit.activeCount + limit.pendingCount,
    async close() {
      closed = true; // what waits sees it and returns at once
      await Promise.all([...running]);
    },
  };
}
