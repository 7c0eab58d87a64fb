/**
 * Machines in SQLite. Labels are merged in SQL (the union of the stored JSON
 * array and the added one), so two reports at once lose neither's labels.
 * @example const id = await store.machines.upsert(facts, facts.labels ?? [], Date.now());
 */
import { eq, sql } from 'drizzle-orm';
import type { MachineStore } from '../core/machines.ts';
import type {
  EnrollInput,
  EnrollmentRequest,
  EnrollmentStatus,
  EnrollOutcome,
  Machine,
  MachineInfo,
} from '../core/types.ts';
import type { SqliteDb } from './db.ts';
import { parseJson } from './rows.ts';
import type { SqliteRuns } from './runs.ts';
import { machines } from './schema.ts';
import type { SqliteTokens } from './tokens.ts';

export class SqliteMachines implements MachineStore {
  constructor(
    readonly db: SqliteDb,
    readonly tokens: SqliteTokens,
    readonly runs: () => SqliteRuns,
  ) {}

  /** The upsert itself, for steps that make the machine inside their own transaction (ingest, enroll). */
  upsertNow(m: Machine, addLabels: readonly string[], now: number, grant: readonly string[] = []): number {
    const row = this.db
      .sql(
        `INSERT INTO machines (fingerprint, hostname, os, kernel, arch, cpu, memory_bytes, details, labels, declared_labels, first_seen, last_seen)
         VALUES (@fingerprint, @hostname, @os, @kernel, @arch, @cpu, @memoryBytes, @details, @grant, @labels, @now, @now)
         ON CONFLICT (fingerprint) DO UPDATE SET hostname = excluded.hostname, os = excluded.os, kernel = excluded.kernel,
           arch = excluded.arch, cpu = excluded.cpu, memory_bytes = excluded.memory_bytes, details = excluded.details,
           declared_labels = (SELECT json_group_array(value) FROM (
             SELECT value FROM json_each(machines.declared_labels) UNION SELECT value FROM json_each(excluded.declared_labels))),
           last_seen = max(last_seen, excluded.last_seen)
         RETURNING id`,
      )
      .get({
        fingerprint: m.fingerprint,
        hostname: m.hostname,
        os: m.os,
        kernel: m.kernel,
        arch: m.arch,
        cpu: JSON.stringify(m.cpu),
        memoryBytes: m.memoryBytes,
        details: JSON.stringify(m.details ?? {}),
        labels: JSON.stringify(addLabels),
        grant: JSON.stringify([...new Set(grant)]),
        now,
      }) as { id: number };
    return row.id;
  }

  async upsert(facts: Machine, addLabels: readonly string[], now: number): Promise<number> {
    return this.db.write(() => this.upsertNow(facts, addLabels, now));
  }

  async enroll(input: EnrollInput, now: number): Promise<EnrollOutcome> {
    return this.db.write((): EnrollOutcome => {
      if (input.enrollTokenId !== null) {
        const spent = this.db
          .sql(
            `UPDATE tokens SET uses_left = uses_left - 1 WHERE id = ? AND role = 'enroll' AND revoked_at IS NULL
               AND (expires_at IS NULL OR expires_at > ?) AND (uses_left IS NULL OR uses_left > 0)`,
          )
          .run(input.enrollTokenId, now);
        if (spent.changes === 0) return { kind: 'spent' };
      }
      const known = this.db.sql('SELECT id FROM machines WHERE fingerprint = ?').get(input.facts.fingerprint) as
        | { id: number }
        | undefined;
      const declared = input.facts.labels ?? [];
      if (!known) {
        const id = this.upsertNow(input.facts, declared, now, input.grantLabels);
        this.tokens.insertNow({ ...input.agentToken, machineId: id }, now);
        return { kind: 'created', machineId: id };
      }
      if (input.existing === 'replace') {
        this.#replaceToken(known.id, input.facts, input.agentToken, now);
        return { kind: 'replaced', machineId: known.id };
      }
      const request = this.db
        .sql(
          `INSERT INTO enrollment_requests (machine_id, facts, token_id, secret_hash, token_name, enroll_token_id, status, created_at)
           VALUES (?, ?, ?, ?, ?, ?, 'pending', ?) RETURNING id`,
        )
        .get(
          known.id,
          JSON.stringify(input.facts),
          input.agentToken.id,
          Buffer.from(input.agentToken.secretHash),
          input.agentToken.name,
          input.enrollTokenId,
          now,
        ) as { id: number };
      return { kind: 'requested', machineId: known.id, requestId: request.id };
    });
  }

  /** Refreshes the machine's facts, revokes its live agent tokens and stores `token` as its own (inside a write). */
  #replaceToken(machineId: number, facts: Machine, token: EnrollInput['agentToken'], now: number): void {
    this.upsertNow(facts, facts.labels ?? [], now);
    this.db
      .sql("UPDATE tokens SET revoked_at = ? WHERE machine_id = ? AND role = 'agent' AND revoked_at IS NULL")
      .run(now, machineId);
    this.tokens.insertNow({ ...token, machineId }, now);
  }

  async enrollmentRequests(status?: EnrollmentStatus): Promise<EnrollmentRequest[]> {
    const rows = this.db
      .sql(
        `SELECT r.*, m.fingerprint FROM enrollment_requests r JOIN machines m ON m.id = r.machine_id
         WHERE (@status IS NULL OR r.status = @status) ORDER BY r.created_at DESC, r.id DESC`,
      )
      .all({ status: status ?? null }) as Array<Record<string, unknown>>;
    return rows.map(enrollmentRequest);
  }

  async getEnrollmentRequest(id: number): Promise<EnrollmentRequest | null> {
    const row = this.db
      .sql('SELECT r.*, m.fingerprint FROM enrollment_requests r JOIN machines m ON m.id = r.machine_id WHERE r.id = ?')
      .get(id) as Record<string, unknown> | undefined;
    return row ? enrollmentRequest(row) : null;
  }

  async decideEnrollment(
    id: number,
    decision: 'approved' | 'rejected',
    now: number,
  ): Promise<EnrollmentRequest | null> {
    const decided = this.db.write(() => {
      const row = this.db
        .sql(
          "UPDATE enrollment_requests SET status = ?, decided_at = ? WHERE id = ? AND status = 'pending' RETURNING *",
        )
        .get(decision, now, id) as Record<string, unknown> | undefined;
      if (!row) return false;
      if (decision === 'approved') {
        const facts = parseJson<Machine>(row.facts as string);
        const token = {
          id: row.token_id as string,
          secretHash: new Uint8Array(row.secret_hash as Buffer),
          role: 'agent' as const,
          name: row.token_name as string,
        };
        this.#replaceToken(row.machine_id as number, facts, token, now);
      }
      return true;
    });
    return decided ? this.getEnrollmentRequest(id) : null;
  }

  async touch(id: number, now: number): Promise<boolean> {
    const done = this.db.orm
      .update(machines)
      .set({ lastSeen: sql`max(${machines.lastSeen}, ${now})` })
      .where(eq(machines.id, id))
      .run();
    return done.changes > 0;
  }

  async setLabels(id: number, labels: readonly string[], _now: number): Promise<boolean> {
    return (
      this.db.orm
        .update(machines)
        .set({ labels: [...labels] })
        .where(eq(machines.id, id))
        .run().changes > 0
    );
  }

  async get(id: number): Promise<MachineInfo | null> {
    return (await this.#machines(id))[0] ?? null;
  }

  async list(): Promise<MachineInfo[]> {
    return this.#machines(null);
  }

  async #machines(id: number | null): Promise<MachineInfo[]> {
    const rows = this.db
      .sql(
        `SELECT m.*,
           (SELECT count(*) FROM runs WHERE machine_id = m.id) AS run_count,
           (SELECT id FROM runs WHERE machine_id = m.id ORDER BY started_at DESC, pk DESC LIMIT 1) AS latest_run,
           (SELECT count(*) FROM regressions g JOIN series se ON se.id = g.series_id
              WHERE se.machine_id = m.id AND g.status = 'new') AS open_regressions
         FROM machines m WHERE (@id IS NULL OR m.id = @id) ORDER BY m.hostname, m.id`,
      )
      .all({ id }) as Array<Record<string, unknown>>;
    const latest = await this.runs().infos(rows.map((r) => r.latest_run as string | null).filter((r) => r !== null));
    const byId = new Map(latest.map((r) => [r.id, r]));
    return rows.map((r) => ({
      id: r.id as number,
      fingerprint: r.fingerprint as string,
      hostname: r.hostname as string,
      os: r.os as string,
      kernel: r.kernel as string,
      arch: r.arch as string,
      cpu: parseJson(r.cpu as string),
      memoryBytes: r.memory_bytes as number,
      labels: parseJson(r.labels as string),
      declaredLabels: parseJson(r.declared_labels as string),
      details: parseJson(r.details as string),
      firstSeen: r.first_seen as number,
      lastSeen: r.last_seen as number,
      runCount: r.run_count as number,
      latestRun: r.latest_run ? (byId.get(r.latest_run as string) ?? null) : null,
      openRegressions: r.open_regressions as number,
    }));
  }
}

function enrollmentRequest(r: Record<string, unknown>): EnrollmentRequest {
  return {
    id: r.id as number,
    machineId: r.machine_id as number,
    fingerprint: r.fingerprint as string,
    facts: parseJson<Machine>(r.facts as string),
    status: r.status as EnrollmentStatus,
    tokenId: r.token_id as string,
    enrollTokenId: (r.enroll_token_id as string | null) ?? null,
    createdAt: r.created_at as number,
    decidedAt: (r.decided_at as number | null) ?? null,
  };
}
