/**
 * Machines over any store. A report's labels are added to the stored ones,
 * never put in their place: an admin's labels (PATCH) survive the agent's
 * next heartbeat or upload. Only an admin replaces them.
 *
 * @example
 * const machines = createMachineService(store, tokens);
 * const { machine, token } = await machines.enroll(facts, Date.now());
 */
import type { Store } from '../store/core/store.ts';
import type { Machine, MachineInfo } from '../store/core/types.ts';
import { DomainError } from './errors.ts';
import type { TokenService } from './tokens.ts';

/** The labels a machine's own report adds to the stored ones. */
export const reportedLabels = (facts: Machine): readonly string[] => facts.labels ?? [];

export interface MachineService {
  /** Creates or refreshes the machine with this fingerprint and gives it a new agent token (older ones are revoked). */
  enroll(facts: Machine, now: number): Promise<{ machine: MachineInfo; token: string }>;
  heartbeat(machineId: number, facts: Machine | null, now: number): Promise<MachineInfo>;
  get(id: number): Promise<MachineInfo | null>;
  list(): Promise<MachineInfo[]>;
  setLabels(id: number, labels: string[], now: number): Promise<MachineInfo>;
}

export function createMachineService(store: Store, tokens: TokenService): MachineService {
  const must = async (id: number) => (await store.machines.get(id)) ?? notFound(`no machine ${id}`);
  return {
    async enroll(facts, now) {
      const { token, stored } = tokens.newAgentToken(`agent ${facts.hostname}`);
      const id = await store.machines.enroll(facts, reportedLabels(facts), stored, now);
      return { machine: await must(id), token };
    },

    async heartbeat(machineId, facts, now) {
      const known = await must(machineId);
      if (facts && facts.fingerprint !== known.fingerprint) {
        throw new DomainError('forbidden', 'the machine facts sent belong to another machine (fingerprint differs)');
      }
      if (facts) await store.machines.upsert(facts, reportedLabels(facts), now);
      else await store.machines.touch(machineId, now);
      return must(machineId);
    },

    get: (id) => store.machines.get(id),
    list: () => store.machines.list(),

    async setLabels(id, labels, now) {
      if (!(await store.machines.setLabels(id, labels, now))) notFound(`no machine ${id}`);
      return must(id);
    },
  };
}

function notFound(message: string): never {
  throw new DomainError('not-found', message);
}
