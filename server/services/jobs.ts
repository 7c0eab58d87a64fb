/**
 * Jobs and schedules over any store: the lease policy (a claim holds a job
 * for the lease the agent asks, at most `maxLeaseSeconds`; progress renews it;
 * a lease that runs out puts the job back in the queue, and after `maxAttempts`
 * claims fails it), the labels a machine claims with (its granted ones only), and who may
 * change a job: its holder or an admin. A machine that lost its lease hears
 * "conflict" (the job moved on); one that never held the job, "forbidden".
 *
 * Every change is a compare-and-set on the job as it was read, so two callers
 * at once (in any process) never both win; the loser reads again and is
 * answered from what is there now.
 *
 * @example
 * const jobs = createJobService(store);
 * const job = await jobs.claim(machineId, 600, Date.now());
 */
import type { Store } from '../store/core/store.ts';
import type {
  Job,
  JobFilter,
  JobPatch,
  JobRecord,
  JobSpecInput,
  Schedule,
  ScheduleInput,
} from '../store/core/types.ts';
import { DomainError } from './errors.ts';

/** Claims a job gets before a lease that runs out fails it instead of queueing it again. */
export const MAX_JOB_ATTEMPTS = 3;
/** The longest lease a claim gets unless the server is told otherwise (`--max-lease`): progress renews it. */
export const DEFAULT_MAX_LEASE_SECONDS = 4 * 3600;

export interface JobServiceOptions {
  /** A claim asking for a longer lease gets this long (default `DEFAULT_MAX_LEASE_SECONDS`). */
  maxLeaseSeconds?: number;
}
/** Times a change is tried again after another caller changed the job first. */
const RACE_RETRIES = 5;

/** Who does a job-changing call: an agent (its machine) or an admin (any job). */
export type Actor = { role: 'admin' } | { role: 'agent'; machineId: number };

export interface JobService {
  create(spec: JobSpecInput, now: number): Promise<Job>;
  list(filter: JobFilter): Promise<Job[]>;
  get(id: number): Promise<Job | null>;
  /** Jobs whose lease ran out go back to the queue (or fail after `maxAttempts` claims); returns how many changed. */
  requeueExpired(now: number, maxAttempts?: number): Promise<number>;
  /**
   * Claims the oldest queued job the machine may run (its own or any machine's, with every
   * label among the machine's granted labels), after putting expired leases back. The lease
   * is what the agent asks, at most the cap.
   */
  claim(machineId: number, leaseSeconds: number, now: number): Promise<Job | null>;
  progress(
    id: number,
    actor: Actor,
    report: { done: number; total: number; message: string },
    now: number,
  ): Promise<Job>;
  complete(id: number, actor: Actor, runId: string, now: number): Promise<Job>;
  fail(id: number, actor: Actor, failure: { error: string; requeue: boolean }, now: number): Promise<Job>;
  cancel(id: number, now: number): Promise<Job>;
  /** The job of a schedule's slot: made once, whoever asks how often (null when it exists already). */
  createForSlot(scheduleId: number, slot: number, now: number): Promise<Job | null>;

  listSchedules(): Promise<Schedule[]>;
  getSchedule(id: number): Promise<Schedule | null>;
  createSchedule(input: ScheduleInput, now: number): Promise<Schedule>;
  updateSchedule(id: number, patch: Partial<ScheduleInput>, now: number): Promise<Schedule>;
  deleteSchedule(id: number): Promise<boolean>;
}

/** What a job goes back to the queue with. */
const REQUEUED: JobPatch = { status: 'queued', claimedBy: null, claimedAt: null, leaseExpiresAt: null, progress: null };

export function createJobService(store: Store, options: JobServiceOptions = {}): JobService {
  const maxLease = options.maxLeaseSeconds ?? DEFAULT_MAX_LEASE_SECONDS;
  if (!Number.isInteger(maxLease) || maxLease < 10) {
    throw new RangeError(`maxLeaseSeconds must be a whole number of seconds, at least 10 (got ${maxLease})`);
  }
  const mustJob = async (id: number) => (await store.jobs.get(id)) ?? notFound(`no job ${id}`);

  /** The job, checked to be running and held by the actor's machine. */
  const held = async (id: number, actor: Actor): Promise<JobRecord> => {
    const row = await mustJob(id);
    if (actor.role === 'agent' && row.claimedBy !== actor.machineId) {
      if (row.holders.includes(actor.machineId)) {
        throw new DomainError('conflict', `job ${id} is no longer held by this machine (its lease expired)`);
      }
      throw new DomainError('forbidden', `job ${id} is not this machine's`);
    }
    if (row.status !== 'running') throw new DomainError('conflict', `job ${id} is ${row.status}, not running`);
    return row;
  };

  /** Applies `change` to a held job, as a compare-and-set on the claim that was read. */
  const changeHeld = async (
    id: number,
    actor: Actor,
    now: number,
    change: (row: JobRecord) => Promise<JobPatch> | JobPatch,
  ): Promise<Job> => {
    for (let attempt = 0; ; attempt++) {
      const row = await held(id, actor);
      const patch = await change(row);
      const guard = { status: ['running'] as const, claimedBy: row.claimedBy, attempts: row.attempts };
      const done = await store.jobs.update(id, guard, patch, now);
      if (done) return done;
      if (attempt >= RACE_RETRIES) throw new DomainError('conflict', `job ${id} is changing; try again`);
    }
  };

  const requeueExpired = async (now: number, maxAttempts = MAX_JOB_ATTEMPTS): Promise<number> => {
    let changed = 0;
    for (const job of await store.jobs.listExpired(now)) {
      const patch: JobPatch =
        job.attempts >= maxAttempts
          ? {
              status: 'failed',
              error: `the lease expired ${job.attempts} times; no agent finished the job`,
              leaseExpiresAt: null,
              finishedAt: now,
            }
          : REQUEUED;
      // Only if nothing renewed or finished it since it was read.
      const guard = {
        status: ['running'] as const,
        claimedBy: job.claimedBy,
        attempts: job.attempts,
        leaseExpiredBy: now,
      };
      if (await store.jobs.update(job.id, guard, patch, now)) changed++;
    }
    return changed;
  };

  return {
    async create(spec, now) {
      if (spec.machineId != null && !(await store.machines.get(spec.machineId))) {
        throw new DomainError('invalid', `no machine ${spec.machineId}`);
      }
      return store.jobs.create(
        {
          suites: spec.suites,
          modes: spec.modes,
          labels: spec.labels ?? [],
          profile: spec.profile ?? null,
          runtime: spec.runtime ?? null,
          machineId: spec.machineId ?? null,
        },
        now,
      );
    },

    list: (filter) => store.jobs.list(filter),

    async get(id) {
      const row = await store.jobs.get(id);
      if (!row) return null;
      const { holders: _, ...job } = row;
      return job;
    },

    requeueExpired,

    async claim(machineId, leaseSeconds, now) {
      const machine = (await store.machines.get(machineId)) ?? notFound(`no machine ${machineId}`);
      await requeueExpired(now);
      // Granted labels only: what an agent declares routes nothing until an admin accepts it.
      return store.jobs.claimNext({
        machineId,
        labels: machine.labels,
        leaseSeconds: Math.min(leaseSeconds, maxLease),
        now,
      });
    },

    progress: (id, actor, report, now) =>
      changeHeld(id, actor, now, (row) => ({
        progress: { ...report, at: now },
        // Progress is the agent's sign of life: it renews the lease.
        leaseExpiresAt: now + (row.leaseSeconds ?? 0) * 1000,
      })),

    complete: (id, actor, runId, now) =>
      changeHeld(id, actor, now, async (row) => {
        const run = await store.runs.find(runId);
        if (!run) throw new DomainError('invalid', `no run ${runId}; upload the run before completing the job`);
        if (row.claimedBy !== null && run.machineId !== row.claimedBy) {
          throw new DomainError('invalid', `run ${runId} was made on another machine than the one holding job ${id}`);
        }
        return { status: 'completed', runId, leaseExpiresAt: null, finishedAt: now };
      }),

    fail: (id, actor, failure, now) =>
      changeHeld(id, actor, now, () =>
        failure.requeue
          ? { ...REQUEUED, error: failure.error }
          : { status: 'failed', error: failure.error, leaseExpiresAt: null, finishedAt: now },
      ),

    async cancel(id, now) {
      for (let attempt = 0; ; attempt++) {
        const row = await mustJob(id);
        if (row.status !== 'queued' && row.status !== 'running') {
          throw new DomainError('conflict', `job ${id} is ${row.status} already`);
        }
        const done = await store.jobs.update(
          id,
          { status: [row.status] },
          { status: 'cancelled', leaseExpiresAt: null, finishedAt: now },
          now,
        );
        if (done) return done;
        if (attempt >= RACE_RETRIES) throw new DomainError('conflict', `job ${id} is changing; try again`);
      }
    },

    async createForSlot(scheduleId, slot, now) {
      const s = (await store.schedules.get(scheduleId)) ?? notFound(`no schedule ${scheduleId}`);
      return store.jobs.createForSlot(
        scheduleId,
        slot,
        { suites: s.suites, modes: s.modes, labels: s.labels, profile: s.profile, runtime: s.runtime, machineId: null },
        now,
      );
    },

    listSchedules: () => store.schedules.list(),
    getSchedule: (id) => store.schedules.get(id),

    createSchedule: (input, now) =>
      store.schedules.create(
        {
          name: input.name,
          cron: input.cron,
          timezone: input.timezone ?? null,
          suites: input.suites,
          modes: input.modes,
          labels: input.labels ?? [],
          profile: input.profile ?? null,
          runtime: input.runtime ?? null,
          enabled: input.enabled ?? true,
          // Slots before the schedule existed are not owed a job.
          lastSlot: now,
        },
        now,
      ),

    async updateSchedule(id, patch, now) {
      return (await store.schedules.update(id, patch, now)) ?? notFound(`no schedule ${id}`);
    },

    deleteSchedule: (id) => store.schedules.delete(id),
  };
}

function notFound(message: string): never {
  throw new DomainError('not-found', message);
}
