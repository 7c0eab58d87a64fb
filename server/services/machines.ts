/**
 * Machines over any store. Labels come in two kinds: granted (an admin's, or
 * the enrollment token's), which route jobs, and declared (what the agent
 * reports), which are shown and grant nothing until an admin accepts them. A
 * report's labels are added to the declared ones; only an admin changes the
 * granted ones. An enrollment token makes new machines only: for a
 * fingerprint that is enrolled already it leaves a request for an admin.
 *
 * @example
 * const machines = createMachineService(store, tokens);
 * const { machine, token } = await machines.enroll(facts, { role: 'admin' }, Date.now());
 */
import type { Store } from '../store/core/store.ts';
import type { EnrollmentRequest, EnrollmentStatus, Machine, MachineInfo } from '../store/core/types.ts';
import { DomainError } from './errors.ts';
import type { TokenService } from './tokens.ts';

/** The labels a machine's own report declares (stored as declared, granting nothing). */
export const reportedLabels = (facts: Machine): readonly string[] => facts.labels ?? [];

/**
 * Who enrolls: an admin (may enroll any fingerprint, an enrolled one included), an
 * enrollment token (new machines only; for an enrolled fingerprint it leaves a request an
 * admin decides), or a machine's own agent token (its proof: re-enrolls that machine only).
 */
export type Enroller = { role: 'admin' } | { role: 'enroll'; tokenId: string } | { role: 'agent'; machineId: number };

/** An enrollment's answer: the machine and the caller's new agent token; `request` when it waits for an admin. */
export interface Enrollment {
  machine: MachineInfo;
  token: string;
  /** Set when the fingerprint was enrolled already: the token works once an admin approves this. */
  request: EnrollmentRequest | null;
}

export interface MachineService {
  enroll(facts: Machine, by: Enroller, now: number): Promise<Enrollment>;
  heartbeat(machineId: number, facts: Machine | null, now: number): Promise<MachineInfo>;
  get(id: number): Promise<MachineInfo | null>;
  list(): Promise<MachineInfo[]>;
  /** Replaces the granted labels and/or grants some of the declared ones (`accept`: each must be declared). */
  setLabels(id: number, change: { labels?: string[]; accept?: string[] }, now: number): Promise<MachineInfo>;
  enrollmentRequests(status?: EnrollmentStatus): Promise<EnrollmentRequest[]>;
  decideEnrollment(id: number, decision: 'approved' | 'rejected', now: number): Promise<EnrollmentRequest>;
}

export function createMachineService(store: Store, tokens: TokenService): MachineService {
  const must = async (id: number) => (await store.machines.get(id)) ?? notFound(`no machine ${id}`);
  return {
    async enroll(facts, by, now) {
      const { token, stored } = tokens.newAgentToken(`agent ${facts.hostname}`);
      let grantLabels: readonly string[] = [];
      if (by.role === 'enroll') {
        grantLabels = (await store.tokens.get(by.tokenId))?.labels ?? [];
      }
      if (by.role === 'agent') {
        // The proof of an agent token: it names its own machine, and the facts are that machine's.
        const own = await must(by.machineId);
        if (own.fingerprint !== facts.fingerprint) {
          throw new DomainError(
            'forbidden',
            "an agent token re-enrolls its own machine only (these facts' fingerprint is another machine's); a new machine needs an enrollment token",
          );
        }
      }
      const outcome = await store.machines.enroll(
        {
          facts,
          agentToken: stored,
          enrollTokenId: by.role === 'enroll' ? by.tokenId : null,
          grantLabels,
          existing: by.role === 'enroll' ? 'request' : 'replace',
        },
        now,
      );
      if (outcome.kind === 'spent') {
        throw new DomainError('unauthorized', 'this enrollment token has no use left or has expired');
      }
      const request =
        outcome.kind === 'requested' ? await store.machines.getEnrollmentRequest(outcome.requestId) : null;
      return { machine: await must(outcome.machineId), token, request };
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

    async setLabels(id, change, now) {
      const machine = await must(id);
      const accept = change.accept ?? [];
      const undeclared = accept.filter((l) => !machine.declaredLabels.includes(l));
      if (undeclared.length) {
        throw new DomainError(
          'invalid',
          `machine ${id} did not declare ${undeclared.join(', ')} (declared: ${machine.declaredLabels.join(', ') || 'none'})`,
        );
      }
      const labels = [...new Set([...(change.labels ?? machine.labels), ...accept])];
      if (!(await store.machines.setLabels(id, labels, now))) notFound(`no machine ${id}`);
      return must(id);
    },

    enrollmentRequests: (status) => store.machines.enrollmentRequests(status),

    async decideEnrollment(id, decision, now) {
      const decided = await store.machines.decideEnrollment(id, decision, now);
      if (decided) return decided;
      const request = (await store.machines.getEnrollmentRequest(id)) ?? notFound(`no enrollment request ${id}`);
      throw new DomainError('conflict', `enrollment request ${id} was ${request.status} already`);
    },
  };
}

function notFound(message: string): never {
  throw new DomainError('not-found', message);
}
