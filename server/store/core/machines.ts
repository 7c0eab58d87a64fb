/**
 * Benchmark machines, keyed by the fingerprint their agent computes. Which
 * labels a report adds and who may report for a machine are the services'
 * (server/services/machines.ts); the store offers the atomic steps.
 *
 * @example
 * const id = await store.machines.upsert(facts, facts.labels ?? [], Date.now());
 */
import type { EnrollInput, EnrollmentRequest, EnrollmentStatus, EnrollOutcome, Machine, MachineInfo } from './types.ts';

export interface MachineStore {
  /**
   * Creates the machine with this fingerprint, or refreshes its facts (hostname, os, kernel,
   * arch, cpu, memory, details; `lastSeen` only ever moves forward). `facts.labels` is not
   * read: the stored declared labels become the union of the stored ones and `addLabels` (as
   * a set, in one atomic step, so two reports at once lose neither's labels); the granted
   * labels are left alone (a new machine has none). Returns the machine's id.
   */
  upsert(facts: Machine, addLabels: readonly string[], now: number): Promise<number>;
  /**
   * One atomic step: spend one use of `input.enrollTokenId` (nothing written when it has none
   * left: `spent`); then, for a new fingerprint, create the machine with `grantLabels` granted
   * and `facts.labels` declared, and store the agent token (`created`); for an enrolled one,
   * either refresh it, revoke its live agent tokens and store the new one (`replaced`), or
   * store a pending request holding the token and change nothing else (`requested`).
   */
  enroll(input: EnrollInput, now: number): Promise<EnrollOutcome>;
  /** Requests to enroll an enrolled machine, newest first; only those of `status` when given. */
  enrollmentRequests(status?: EnrollmentStatus): Promise<EnrollmentRequest[]>;
  getEnrollmentRequest(id: number): Promise<EnrollmentRequest | null>;
  /**
   * Decides a pending request, in one atomic step: `approved` refreshes the machine's facts
   * (declaring their labels), revokes its live agent tokens and stores the request's token as
   * its agent token; `rejected` stores nothing else. Null when no pending request has this id.
   */
  decideEnrollment(id: number, decision: 'approved' | 'rejected', now: number): Promise<EnrollmentRequest | null>;
  /** Moves `lastSeen` forward to `now` (never back); false when there is no such machine. */
  touch(id: number, now: number): Promise<boolean>;
  /** Puts `labels` in place of the granted ones; false when there is no such machine. */
  setLabels(id: number, labels: readonly string[], now: number): Promise<boolean>;
  get(id: number): Promise<MachineInfo | null>;
  /** Every machine, by hostname then id. */
  list(): Promise<MachineInfo[]>;
}
