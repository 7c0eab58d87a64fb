/**
 * Machines in SQLite. Labels are merged in SQL (the union of the stored JSON
 * array and the added one), so two reports at once lose neither's labels.
 * @example const id = await store.machines.upsert(facts, facts.labels ?? [], Date.now());
 */
import { eq, sql } from 'drizzle-orm';
import type { MachineStore } from '../core/machines.ts';
import type { Machine, MachineInfo, NewToken } from '../core/types.ts';
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
  upsertNow(m: Machine, addLabels: readonly string[], now: number): number {
    const row = this.db
      .sql(
        `INSERT INTO machines (fingerprint, hostname, os, kernel, arch, cpu, memory_bytes, details, labels, first_seen, last_seen)
         VALUES (@fingerprint, @hostname, @os, @kernel, @arch, @cpu, @memoryBytes, @details, @labels, @now, @now)
         ON CONFLICT (fingerprint) DO UPDATE SET hostname = excluded.hostname, os = excluded.os, kernel = excluded.kernel,
           arch = excluded.arch, cpu = excluded.cpu, memory_bytes = excluded.memory_bytes, details = excluded.details,
           labels = (SELECT json_group_array(value) FROM (
             SELECT value FROM json_each(machines.labels) UNION SELECT value FROM json_each(excluded.labels))),
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
        now,
      }) as { id: number };
    return row.id;
  }

  async upsert(facts: Machine, addLabels: readonly string[], now: number): Promise<number> {
    return this.db.write(() => this.upsertNow(facts, addLabels, now));
  }

  async enroll(
    facts: Machine,
    addLabels: readonly string[],
    agentToken: Omit<NewToken, 'machineId'>,
    now: number,
  ): Promise<number> {
    return this.db.write(() => {
      const id = this.upsertNow(facts, addLabels, now);
      this.db
        .sql('UPDATE tokens SET revoked_at = ? WHERE machine_id = ? AND role = ? AND revoked_at IS NULL')
        .run(now, id, 'agent');
      this.tokens.insertNow({ ...agentToken, machineId: id }, now);
      return id;
    });
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
      details: parseJson(r.details as string),
      firstSeen: r.first_seen as number,
      lastSeen: r.last_seen as number,
      runCount: r.run_count as number,
      latestRun: r.latest_run ? (byId.get(r.latest_run as string) ?? null) : null,
      openRegressions: r.open_regressions as number,
    }));
  }
}
