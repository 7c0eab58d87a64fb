/**
 * Answers computed ahead of their first reader, at low priority. An offer is
 * a run's answers (its tasks) under a group (its machine): a newer offer of
 * a group replaces the one that waits (readers open a machine's newest run
 * first), at most `maxPending` offers wait or run (past that the oldest
 * waiting one gives way), one task runs at a time, and each waits while
 * `busy()` says readers' work is in the compute pool or uploads stream in:
 * warming never competes with them, and what was offered during a burst of
 * uploads is computed once the burst is over. Best-effort: a failed task is
 * logged and forgotten.
 *
 * @example
 * const warmer = createAnswerWarmer({ busy: () => pool.load().running > 0 });
 * warmer.offer([() => answers.get(key, [id], compute)], `machine ${machineId}`);
 */
export interface AnswerWarmerOptions {
  /** Offers (a run's tasks each) waiting or running before the oldest waiting one gives way (default 8). */
  maxPending?: number;
  /** Whether readers' work or uploads are under way: a task whose turn comes then waits (default: never busy). */
  busy?: () => boolean;
  /** Where a failed task is said (default stderr). */
  log?: (line: string) => void;
}

export const ANSWER_WARMER_DEFAULTS = { maxPending: 8 } as const;

/** How often a waiting task looks at `busy()` again. */
const RECHECK_MS = 50;

export type WarmTask = () => Promise<unknown>;

export interface AnswerWarmer {
  /**
   * Queues a run's tasks under `group`, replacing what waits under it; false when closed,
   * or when the running offer alone fills `maxPending`.
   */
  offer(tasks: readonly WarmTask[], group: string): boolean;
  /** Tasks waiting or running (what /health calls `warming`). */
  pending(): number;
  /** Drops what waits and resolves when the running task is done; later offers are refused. */
  close(): Promise<void>;
}

interface Offer {
  group: string;
  tasks: WarmTask[];
}

/** The warmer (see the module comment); options are checked here. */
export function createAnswerWarmer(opts: AnswerWarmerOptions = {}): AnswerWarmer {
  const maxPending = opts.maxPending ?? ANSWER_WARMER_DEFAULTS.maxPending;
  if (!(Number.isInteger(maxPending) && maxPending >= 1))
    throw new RangeError(`maxPending must be a whole number >= 1, got ${maxPending}`);
  const busy = opts.busy ?? (() => false);
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const waiting: Offer[] = [];
  let running: Offer | null = null;
  let active: Promise<void> | null = null;
  /** 1 while a task is being computed (it has left its offer's list). */
  let computing = 0;
  let closed = false;

  const runOffer = async (offer: Offer) => {
    while (offer.tasks.length > 0 && !closed) {
      // The upload that offered it is usually still finishing, and others may follow.
      while (busy() && !closed) await new Promise((resolve) => setTimeout(resolve, RECHECK_MS));
      const task = offer.tasks.shift();
      if (!task || closed) return;
      computing = 1;
      try {
        await task();
      } catch (err) {
        log(`gilbench server: computing an answer ahead of its readers failed: ${(err as Error).message}`);
      } finally {
        computing = 0;
      }
    }
  };
  const next = () => {
    if (active || closed) return;
    const offer = waiting.shift();
    if (!offer) return;
    running = offer;
    active = runOffer(offer).finally(() => {
      running = null;
      active = null;
      next();
    });
  };

  return {
    offer(tasks, group) {
      if (closed) return false;
      const superseded = waiting.findIndex((o) => o.group === group);
      if (superseded >= 0) waiting.splice(superseded, 1);
      if (waiting.length + (running ? 1 : 0) >= maxPending) {
        if (waiting.length === 0) return false;
        waiting.shift();
      }
      waiting.push({ group, tasks: [...tasks] });
      next();
      return true;
    },
    pending: () => waiting.reduce((n, o) => n + o.tasks.length, (running?.tasks.length ?? 0) + computing),
    async close() {
      closed = true; // what waits sees it and returns at once
      waiting.length = 0;
      await active;
    },
  };
}
