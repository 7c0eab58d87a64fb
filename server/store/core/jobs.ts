/**
 * Jobs: requests for a run, claimed by one agent under a lease. The lease
 * length, how many claims a job gets, which labels a machine has and who may
 * change a job are the job service's (server/services/jobs.ts); the store
 * offers reads, plain writes and the atomic steps below.
 *
 * @example
 * const job = await store.jobs.claimNext({ machineId: 3, labels: ['nightly'], leaseSeconds: 600, now });
 */
import type { ClaimRequest, Job, JobFilter, JobGuard, JobPatch, JobRecord, JobSpec } from './types.ts';

export interface JobStore {
  /** A queued job made by hand. */
  create(spec: JobSpec, now: number): Promise<Job>;
  /**
   * One atomic step: the job of a schedule's slot, queued with `spec`, made at most once
   * per (schedule, slot) across every process sharing the database (null when it exists
   * already); and the schedule's `lastSlot` raised to at least `slot` either way.
   */
  createForSlot(scheduleId: number, slot: number, spec: JobSpec, now: number): Promise<Job | null>;
  /** Newest first (by creation, then id); `machine` matches the job's machine or its holder; default limit 200. */
  list(filter: JobFilter): Promise<Job[]>;
  get(id: number): Promise<JobRecord | null>;
  /** Running jobs whose lease ran out at or before `now`. */
  listExpired(now: number): Promise<JobRecord[]>;
  /**
   * Claims the next matching job, atomically: the oldest (by creation, then id) queued job
   * whose machine is null or `machineId` and whose every label is in `labels` becomes
   * running, held by `machineId` (`claimedAt` now, lease until now + leaseSeconds, attempts
   * + 1, progress cleared, `machineId` added to its holders). Null when none matches.
   * However many callers claim at once, in however many processes, a job is handed to one
   * of them per claim.
   */
  claimNext(request: ClaimRequest): Promise<Job | null>;
  /**
   * Compare-and-set: when the job exists and every condition of `guard` holds, applies
   * `patch` (and `updatedAt = now`) in the same atomic step and returns the job; otherwise
   * writes nothing and returns null.
   */
  update(id: number, guard: JobGuard, patch: JobPatch, now: number): Promise<Job | null>;
}
