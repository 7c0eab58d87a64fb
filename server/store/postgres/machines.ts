/**
 * Machines in PostgreSQL (see core/machines.ts). The label union and the
 * forward-only `last_seen` happen inside one `INSERT … ON CONFLICT DO UPDATE`,
 * which holds the machine's row while it computes them: two reports at once
 * lose neither's labels.
 *
 * @example const id = await new PgMachines(db).upsert(facts, ['nightly'], Date.now());
 */
import type { Machine } from '../../../harness/schema.ts';
import type { MachineStore } from '../core/machines.ts';
import type { EnrollInput, EnrollmentRequest, EnrollmentStatus, EnrollOutcome, MachineInfo } from '../core/types.ts';
import type { Db, Queryable, Row } from './db.ts';
import { runInfos } from './rows.ts';
import { insertToken } from './tokens.ts';

/** Creates or refreshes a machine by fingerprint on `db`; returns its id. */
export async function upsertMachine(
  db: Queryable,
  m: Machine,
  addLabels: readonly string[],
  now: number,
  grant: readonly string[] = [],
): Promise<number> {
  const row = await db.one<{ id: number }>(
    `INSERT INTO machines (fingerprint, hostname, os, kernel, arch, cpu, memory_bytes, details, declared_labels, labels, first_seen, last_seen)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $11, $10, $10)
     ON CONFLICT (fingerprint) DO UPDATE SET hostname = excluded.hostname, os = excluded.os, kernel = excluded.kernel,
       arch = excluded.arch, cpu = excluded.cpu, memory_bytes = excluded.memory_bytes, details = excluded.details,
       declared_labels = (SELECT coalesce(jsonb_agg(v ORDER BY v COLLATE "C"), '[]'::jsonb) FROM (
         SELECT jsonb_array_elements_text(machines.declared_labels) AS v
         UNION SELECT jsonb_array_elements_text(excluded.declared_labels)) u),
       last_seen = greatest(machines.last_seen, excluded.last_seen)
     RETURNING id`,
    [
      m.fingerprint,
      m.hostname,
      m.os,
      m.kernel,
      m.arch,
      JSON.stringify(m.cpu),
      m.memoryBytes,
      JSON.stringify(m.details ?? {}),
      JSON.stringify([...new Set(addLabels)].sort()),
      now,
      JSON.stringify([...new Set(grant)].sort()),
    ],
  );
  return row!.id;
}

/** Refreshes the machine's facts, revokes its live agent tokens and stores `token` as its own (on a transaction). */
async function replaceToken(
  t: Queryable,
  machineId: number,
  facts: Machine,
  token: EnrollInput['agentToken'],
  now: number,
): Promise<void> {
  await upsertMachine(t, facts, facts.labels ?? [], now);
  await t.run("UPDATE tokens SET revoked_at = $2 WHERE machine_id = $1 AND role = 'agent' AND revoked_at IS NULL", [
    machineId,
    now,
  ]);
  await insertToken(t, { ...token, machineId }, now);
}

const REQUEST_SELECT = `SELECT r.*, m.fingerprint FROM enrollment_requests r JOIN machines m ON m.id = r.machine_id`;

function enrollmentRequest(r: Row): EnrollmentRequest {
  return {
    id: r.id as number,
    machineId: r.machine_id as number,
    fingerprint: r.fingerprint as string,
    facts: r.facts as Machine,
    status: r.status as EnrollmentStatus,
    tokenId: r.token_id as string,
    enrollTokenId: (r.enroll_token_id as string | null) ?? null,
    createdAt: Number(r.created_at),
    decidedAt: r.decided_at === null ? null : Number(r.decided_at),
  };
}

export class PgMachines implements MachineStore {
  constructor(readonly db: Db) {}

  upsert(facts: Machine, addLabels: readonly string[], now: number): Promise<number> {
    return upsertMachine(this.db, facts, addLabels, now);
  }

  enroll(input: EnrollInput, now: number): Promise<EnrollOutcome> {
    return this.db.tx(async (t): Promise<EnrollOutcome> => {
      if (input.enrollTokenId !== null) {
        const spent = await t.run(
          `UPDATE tokens SET uses_left = uses_left - 1 WHERE id = $1 AND role = 'enroll' AND revoked_at IS NULL
             AND (expires_at IS NULL OR expires_at > $2) AND (uses_left IS NULL OR uses_left > 0)`,
          [input.enrollTokenId, now],
        );
        if (spent === 0) return { kind: 'spent' };
      }
      const f = input.facts;
      // A new fingerprint is inserted here or not at all: two enrollments of it at once make one machine.
      const created = await t.one<{ id: number }>(
        `INSERT INTO machines (fingerprint, hostname, os, kernel, arch, cpu, memory_bytes, details, declared_labels, labels, first_seen, last_seen)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) ON CONFLICT (fingerprint) DO NOTHING RETURNING id`,
        [
          f.fingerprint,
          f.hostname,
          f.os,
          f.kernel,
          f.arch,
          JSON.stringify(f.cpu),
          f.memoryBytes,
          JSON.stringify(f.details ?? {}),
          JSON.stringify([...new Set(f.labels ?? [])].sort()),
          JSON.stringify([...new Set(input.grantLabels)].sort()),
          now,
        ],
      );
      if (created) {
        await insertToken(t, { ...input.agentToken, machineId: created.id }, now);
        return { kind: 'created', machineId: created.id };
      }
      const known = await t.one<{ id: number }>('SELECT id FROM machines WHERE fingerprint = $1 FOR UPDATE', [
        f.fingerprint,
      ]);
      if (input.existing === 'replace') {
        await replaceToken(t, known!.id, f, input.agentToken, now);
        return { kind: 'replaced', machineId: known!.id };
      }
      const request = await t.one<{ id: number }>(
        `INSERT INTO enrollment_requests (machine_id, facts, token_id, secret_hash, token_name, enroll_token_id, status, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7) RETURNING id`,
        [
          known!.id,
          JSON.stringify(f),
          input.agentToken.id,
          Buffer.from(input.agentToken.secretHash),
          input.agentToken.name,
          input.enrollTokenId,
          now,
        ],
      );
      return { kind: 'requested', machineId: known!.id, requestId: request!.id };
    });
  }

  async enrollmentRequests(status?: EnrollmentStatus): Promise<EnrollmentRequest[]> {
    const rows = await this.db.rows(
      `${REQUEST_SELECT} WHERE ($1::text IS NULL OR r.status = $1) ORDER BY r.created_at DESC, r.id DESC`,
      [status ?? null],
    );
    return rows.map(enrollmentRequest);
  }

  async getEnrollmentRequest(id: number): Promise<EnrollmentRequest | null> {
    const row = await this.db.one(`${REQUEST_SELECT} WHERE r.id = $1`, [id]);
    return row ? enrollmentRequest(row) : null;
  }

  async decideEnrollment(
    id: number,
    decision: 'approved' | 'rejected',
    now: number,
  ): Promise<EnrollmentRequest | null> {
    const decided = await this.db.tx(async (t) => {
      const row = await t.one(
        "UPDATE enrollment_requests SET status = $2, decided_at = $3 WHERE id = $1 AND status = 'pending' RETURNING *",
        [id, decision, now],
      );
      if (!row) return false;
      if (decision === 'approved') {
        const token = {
          id: row.token_id as string,
          secretHash: new Uint8Array(row.secret_hash as Buffer),
          role: 'agent' as const,
          name: row.token_name as string,
        };
        await replaceToken(t, row.machine_id as number, row.facts as Machine, token, now);
      }
      return true;
    });
    return decided ? this.getEnrollmentRequest(id) : null;
  }

  async touch(id: number, now: number): Promise<boolean> {
    return (await this.db.run('UPDATE machines SET last_seen = greatest(last_seen, $2) WHERE id = $1', [id, now])) > 0;
  }

  async setLabels(id: number, labels: readonly string[], _now: number): Promise<boolean> {
    return (await this.db.run('UPDATE machines SET labels = $2 WHERE id = $1', [id, JSON.stringify(labels)])) > 0;
  }

  async get(id: number): Promise<MachineInfo | null> {
    return (await this.#machines(id))[0] ?? null;
  }

  list(): Promise<MachineInfo[]> {
    return this.#machines(null);
  }

  async #machines(id: number | null): Promise<MachineInfo[]> {
    const rows = await this.db.rows(
      `SELECT m.*,
         (SELECT count(*) FROM runs WHERE machine_id = m.id) AS run_count,
         (SELECT id FROM runs WHERE machine_id = m.id ORDER BY started_at DESC, pk DESC LIMIT 1) AS latest_run,
         (SELECT count(*) FROM regressions g JOIN series se ON se.id = g.series_id
            WHERE se.machine_id = m.id AND g.status = 'new') AS open_regressions
       FROM machines m WHERE ($1::int IS NULL OR m.id = $1) ORDER BY m.hostname COLLATE "C", m.id`,
      [id],
    );
    const latest = await runInfos(
      this.db,
      rows.map((r) => r.latest_run as string | null).filter((r): r is string => r !== null),
    );
    const byId = new Map(latest.map((r) => [r.id, r]));
    return rows.map((r) => ({
      id: r.id as number,
      fingerprint: r.fingerprint as string,
      hostname: r.hostname as string,
      os: r.os as string,
      kernel: r.kernel as string,
      arch: r.arch as string,
      cpu: r.cpu as MachineInfo['cpu'],
      memoryBytes: r.memory_bytes as number,
      labels: r.labels as string[],
      declaredLabels: r.declared_labels as string[],
      details: r.details as Record<string, unknown>,
      firstSeen: r.first_seen as number,
      lastSeen: r.last_seen as number,
      runCount: r.run_count as number,
      latestRun: r.latest_run ? (byId.get(r.latest_run as string) ?? null) : null,
      openRegressions: r.open_regressions as number,
    }));
  }
}
