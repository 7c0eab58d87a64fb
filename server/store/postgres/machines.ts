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
import type { MachineInfo, NewToken } from '../core/types.ts';
import type { Db, Queryable } from './db.ts';
import { runInfos } from './rows.ts';
import { insertToken } from './tokens.ts';

/** Creates or refreshes a machine by fingerprint on `db`; returns its id. */
export async function upsertMachine(
  db: Queryable,
  m: Machine,
  addLabels: readonly string[],
  now: number,
): Promise<number> {
  const row = await db.one<{ id: number }>(
    `INSERT INTO machines (fingerprint, hostname, os, kernel, arch, cpu, memory_bytes, details, labels, first_seen, last_seen)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
     ON CONFLICT (fingerprint) DO UPDATE SET hostname = excluded.hostname, os = excluded.os, kernel = excluded.kernel,
       arch = excluded.arch, cpu = excluded.cpu, memory_bytes = excluded.memory_bytes, details = excluded.details,
       labels = (SELECT coalesce(jsonb_agg(v ORDER BY v COLLATE "C"), '[]'::jsonb) FROM (
         SELECT jsonb_array_elements_text(machines.labels) AS v UNION SELECT jsonb_array_elements_text(excluded.labels)) u),
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
    ],
  );
  return row!.id;
}

export class PgMachines implements MachineStore {
  constructor(readonly db: Db) {}

  upsert(facts: Machine, addLabels: readonly string[], now: number): Promise<number> {
    return upsertMachine(this.db, facts, addLabels, now);
  }

  enroll(
    facts: Machine,
    addLabels: readonly string[],
    agentToken: Omit<NewToken, 'machineId'>,
    now: number,
  ): Promise<number> {
    return this.db.tx(async (t) => {
      const id = await upsertMachine(t, facts, addLabels, now);
      await t.run("UPDATE tokens SET revoked_at = $2 WHERE machine_id = $1 AND role = 'agent' AND revoked_at IS NULL", [
        id,
        now,
      ]);
      await insertToken(t, { ...agentToken, machineId: id }, now);
      return id;
    });
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
      details: r.details as Record<string, unknown>,
      firstSeen: r.first_seen as number,
      lastSeen: r.last_seen as number,
      runCount: r.run_count as number,
      latestRun: r.latest_run ? (byId.get(r.latest_run as string) ?? null) : null,
      openRegressions: r.open_regressions as number,
    }));
  }
}
