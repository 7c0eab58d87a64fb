/**
 * Benchmark machines, keyed by the fingerprint their agent computes. Which
 * labels a report adds and who may report for a machine are the services'
 * (server/services/machines.ts); the store offers the atomic steps.
 *
 * @example
 * const id = await store.machines.upsert(facts, facts.labels ?? [], Date.now());
 */
import type { Machine, MachineInfo, NewToken } from './types.ts';

export interface MachineStore {
  /**
   * Creates the machine with this fingerprint, or refreshes its facts (hostname, os, kernel,
   * arch, cpu, memory, details; `lastSeen` only ever moves forward). `facts.labels` is not
   * read: the stored labels become the union of the stored ones and `addLabels` (as a set,
   * in one atomic step, so two reports at once lose neither's labels). Returns the machine's id.
   */
  upsert(facts: Machine, addLabels: readonly string[], now: number): Promise<number>;
  /**
   * One atomic step: `upsert`, then revoke every live `agent` token of the machine, then
   * store `agentToken` (with `machineId` set to the machine's id). Returns the machine's id.
   */
  enroll(
    facts: Machine,
    addLabels: readonly string[],
    agentToken: Omit<NewToken, 'machineId'>,
    now: number,
  ): Promise<number>;
  /** Moves `lastSeen` forward to `now` (never back); false when there is no such machine. */
  touch(id: number, now: number): Promise<boolean>;
  /** Puts `labels` in place of the stored ones; false when there is no such machine. */
  setLabels(id: number, labels: readonly string[], now: number): Promise<boolean>;
  get(id: number): Promise<MachineInfo | null>;
  /** Every machine, by hostname then id. */
  list(): Promise<MachineInfo[]>;
}
