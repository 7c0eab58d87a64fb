/**
 * The scheduler: turns cron schedules into jobs at their times (croner reads
 * the expressions), and returns jobs whose lease ran out to the queue.
 *
 * Exactly one job per slot: a job is keyed by (schedule, slot time) under a
 * unique index, so however many ticks, processes or restarts ask for a slot,
 * one job exists for it. A server that was down across several slots makes
 * one job, for the latest slot it missed, not one per missed slot.
 *
 * @example
 * const scheduler = createScheduler({ repo, now: () => Date.now() });
 * scheduler.start();   // ticks every second
 * await scheduler.tick(); // or by hand (tests)
 */
import { Cron } from 'croner';
import { MAX_JOB_ATTEMPTS, type Services } from './services/index.ts';
import type { Job, Schedule } from './store/core/types.ts';

export interface SchedulerOptions {
  repo: Services;
  now?: () => number;
  /** How often to look for due slots and expired leases (default 1000 ms). */
  intervalMs?: number;
  /** Claims of a job before an expired lease fails it (default 3). */
  maxAttempts?: number;
  log?: (line: string) => void;
}

export interface Scheduler {
  /** Makes the jobs of due slots and requeues expired leases; returns the jobs made. */
  tick(): Promise<Job[]>;
  start(): void;
  stop(): void;
}

function cronOf(s: Pick<Schedule, 'cron' | 'timezone'>): Cron {
  return new Cron(s.cron, s.timezone ? { timezone: s.timezone } : {});
}

/**
 * The schedule's next slot after `now` (ms), or null when it has none.
 * @example nextRunOf({ cron: '0 3 * * *', timezone: 'UTC' }, Date.parse('2025-01-01T12:00:00Z')) // 2025-01-02T03:00Z
 */
export function nextRunOf(s: Pick<Schedule, 'cron' | 'timezone'>, now: number): number | null {
  return cronOf(s).nextRun(new Date(now))?.getTime() ?? null;
}

/**
 * The latest slot at or before `now` and after `after`, or null.
 * @example latestDueSlot({ cron: '0 * * * *', timezone: null }, 0, Date.parse('2025-01-01T10:30:00Z')) // 10:00
 */
export function latestDueSlot(s: Pick<Schedule, 'cron' | 'timezone'>, after: number, now: number): number | null {
  // previousRuns looks strictly before its reference: +1 ms lets a slot at exactly `now` count.
  const slot = cronOf(s)
    .previousRuns(1, new Date(now + 1))[0]
    ?.getTime();
  return slot !== undefined && slot > after ? slot : null;
}

export function createScheduler(opts: SchedulerOptions): Scheduler {
  const now = opts.now ?? Date.now;
  const intervalMs = opts.intervalMs ?? 1000;
  const maxAttempts = opts.maxAttempts ?? MAX_JOB_ATTEMPTS;
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<Job[]> | null = null;

  const tick = async (): Promise<Job[]> => {
    const t = now();
    await opts.repo.requeueExpired(t, maxAttempts);
    const made: Job[] = [];
    for (const s of await opts.repo.listSchedules()) {
      if (!s.enabled) continue;
      const slot = latestDueSlot(s, s.lastSlot ?? s.createdAt, t);
      if (slot === null) continue;
      const job = await opts.repo.createScheduledJob(s.id, slot, t);
      if (job) made.push(job);
    }
    return made;
  };

  // Ticks never overlap: a slow one makes the next wait for it.
  const tickOnce = (): Promise<Job[]> => {
    running ??= tick().finally(() => {
      running = null;
    });
    return running;
  };

  return {
    tick: tickOnce,
    start() {
      if (timer) return;
      timer = setInterval(() => {
        tickOnce().catch((err: Error) => log(`gilbench server: scheduler: ${err.message}`));
      }, intervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
