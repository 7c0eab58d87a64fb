/**
 * Schedules and jobs in PostgreSQL (see core/schedules.ts, core/jobs.ts).
 * A claim is one statement: the oldest matching queued job is locked with
 * `FOR UPDATE SKIP LOCKED` and updated, so claimers in any number of
 * processes never wait for each other and never get the same job; a slot's
 * job is made by `INSERT … ON CONFLICT (schedule_id, slot) DO NOTHING`, so
 * the unique key makes one job per slot however many schedulers run.
 *
 * @example const job = await new PgJobs(db).claimNext({ machineId, labels, leaseSeconds: 600, now });
 */
import type { JobStore } from '../core/jobs.ts';
import type { ScheduleStore } from '../core/schedules.ts';
import type {
  ClaimRequest,
  Job,
  JobFilter,
  JobGuard,
  JobPatch,
  JobRecord,
  JobSpec,
  JobStatus,
  Schedule,
  ScheduleRecordInput,
} from '../core/types.ts';
import type { Db, Row } from './db.ts';

function jobRecord(r: Row): JobRecord {
  return {
    id: r.id as number,
    scheduleId: r.schedule_id as number | null,
    slot: r.slot as number | null,
    status: r.status as JobStatus,
    suites: r.suites as string[],
    modes: r.modes as string[],
    labels: r.labels as string[],
    profile: r.profile as string | null,
    runtime: (r.runtime as string | null) ?? null,
    machineId: r.machine_id as number | null,
    claimedBy: r.claimed_by as number | null,
    claimedAt: r.claimed_at as number | null,
    leaseExpiresAt: r.lease_expires_at as number | null,
    leaseSeconds: r.lease_seconds as number | null,
    attempts: r.attempts as number,
    progress: (r.progress as Job['progress']) ?? null,
    runId: r.run_id as string | null,
    error: r.error as string | null,
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
    finishedAt: r.finished_at as number | null,
    holders: r.holders as number[],
  };
}

/** The API's shape: a record without its holders. */
function jobView(r: Row): Job {
  const { holders: _, ...job } = jobRecord(r);
  return job;
}

const PATCH_COLUMNS: Array<[keyof JobPatch, string, (v: unknown) => unknown]> = [
  ['status', 'status', (v) => v],
  ['claimedBy', 'claimed_by', (v) => v],
  ['claimedAt', 'claimed_at', (v) => v],
  ['leaseExpiresAt', 'lease_expires_at', (v) => v],
  ['progress', 'progress', (v) => (v === null ? null : JSON.stringify(v))],
  ['runId', 'run_id', (v) => v],
  ['error', 'error', (v) => v],
  ['finishedAt', 'finished_at', (v) => v],
];

export class PgJobs implements JobStore {
  constructor(readonly db: Db) {}

  async create(spec: JobSpec, now: number): Promise<Job> {
    const row = await this.db.one(
      `INSERT INTO jobs (suites, modes, labels, profile, runtime, machine_id, status, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'queued', $7, $7) RETURNING *`,
      [
        JSON.stringify(spec.suites),
        JSON.stringify(spec.modes),
        JSON.stringify(spec.labels),
        spec.profile,
        spec.runtime,
        spec.machineId,
        now,
      ],
    );
    return jobView(row!);
  }

  createForSlot(scheduleId: number, slot: number, spec: JobSpec, now: number): Promise<Job | null> {
    return this.db.tx(async (t) => {
      const row = await t.one(
        `INSERT INTO jobs (schedule_id, slot, suites, modes, labels, profile, runtime, machine_id, status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'queued', $9, $9) ON CONFLICT (schedule_id, slot) DO NOTHING RETURNING *`,
        [
          scheduleId,
          slot,
          JSON.stringify(spec.suites),
          JSON.stringify(spec.modes),
          JSON.stringify(spec.labels),
          spec.profile,
          spec.runtime,
          spec.machineId,
          now,
        ],
      );
      await t.run('UPDATE schedules SET last_slot = greatest(coalesce(last_slot, 0), $2) WHERE id = $1', [
        scheduleId,
        slot,
      ]);
      return row ? jobView(row) : null;
    });
  }

  async list(filter: JobFilter): Promise<Job[]> {
    const rows = await this.db.rows(
      `SELECT * FROM jobs WHERE ($1::text IS NULL OR status = $1)
         AND ($2::int IS NULL OR machine_id = $2 OR claimed_by = $2) AND ($3::int IS NULL OR schedule_id = $3)
       ORDER BY created_at DESC, id DESC LIMIT $4`,
      [filter.status ?? null, filter.machine ?? null, filter.schedule ?? null, filter.limit ?? 200],
    );
    return rows.map(jobView);
  }

  async get(id: number): Promise<JobRecord | null> {
    const row = await this.db.one('SELECT * FROM jobs WHERE id = $1', [id]);
    return row ? jobRecord(row) : null;
  }

  async listExpired(now: number): Promise<JobRecord[]> {
    const rows = await this.db.rows(
      "SELECT * FROM jobs WHERE status = 'running' AND lease_expires_at <= $1 ORDER BY lease_expires_at, id",
      [now],
    );
    return rows.map(jobRecord);
  }

  async claimNext(request: ClaimRequest): Promise<Job | null> {
    const row = await this.db.one(
      `WITH next AS (
         SELECT id FROM jobs
         WHERE status = 'queued' AND (machine_id IS NULL OR machine_id = $1) AND labels <@ $2::jsonb
         ORDER BY created_at, id LIMIT 1
         FOR UPDATE SKIP LOCKED)
       UPDATE jobs j SET status = 'running', claimed_by = $1, claimed_at = $3, lease_expires_at = $4,
         lease_seconds = $5, attempts = j.attempts + 1, progress = NULL, updated_at = $3,
         holders = j.holders || to_jsonb($1::int)
       FROM next WHERE j.id = next.id
       RETURNING j.*`,
      [
        request.machineId,
        JSON.stringify([...request.labels]),
        request.now,
        request.now + request.leaseSeconds * 1000,
        request.leaseSeconds,
      ],
    );
    return row ? jobView(row) : null;
  }

  async update(id: number, guard: JobGuard, patch: JobPatch, now: number): Promise<Job | null> {
    const values: unknown[] = [id, now];
    const sets = ['updated_at = $2'];
    for (const [key, column, encode] of PATCH_COLUMNS) {
      if (patch[key] === undefined) continue;
      values.push(encode(patch[key]));
      sets.push(`${column} = $${values.length}`);
    }
    const where = ['id = $1'];
    if (guard.status) {
      values.push([...guard.status]);
      where.push(`status = ANY($${values.length}::text[])`);
    }
    if (guard.claimedBy !== undefined) {
      if (guard.claimedBy === null) where.push('claimed_by IS NULL');
      else {
        values.push(guard.claimedBy);
        where.push(`claimed_by = $${values.length}`);
      }
    }
    if (guard.attempts !== undefined) {
      values.push(guard.attempts);
      where.push(`attempts = $${values.length}`);
    }
    if (guard.leaseExpiredBy !== undefined) {
      values.push(guard.leaseExpiredBy);
      where.push(`lease_expires_at <= $${values.length}`);
    }
    const row = await this.db.one(
      `UPDATE jobs SET ${sets.join(', ')} WHERE ${where.join(' AND ')} RETURNING *`,
      values,
    );
    return row ? jobView(row) : null;
  }
}

function scheduleView(r: Row): Schedule {
  return {
    id: r.id as number,
    name: r.name as string,
    cron: r.cron as string,
    timezone: r.timezone as string | null,
    suites: r.suites as string[],
    modes: r.modes as string[],
    labels: r.labels as string[],
    profile: r.profile as string | null,
    runtime: (r.runtime as string | null) ?? null,
    enabled: r.enabled as boolean,
    lastSlot: r.last_slot as number | null,
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
  };
}

const SCHEDULE_COLUMNS: Array<[keyof ScheduleRecordInput, string, boolean]> = [
  ['name', 'name', false],
  ['cron', 'cron', false],
  ['timezone', 'timezone', false],
  ['suites', 'suites', true],
  ['modes', 'modes', true],
  ['labels', 'labels', true],
  ['profile', 'profile', false],
  ['runtime', 'runtime', false],
  ['enabled', 'enabled', false],
  ['lastSlot', 'last_slot', false],
];

export class PgSchedules implements ScheduleStore {
  constructor(readonly db: Db) {}

  async list(): Promise<Schedule[]> {
    return (await this.db.rows('SELECT * FROM schedules ORDER BY id')).map(scheduleView);
  }

  async get(id: number): Promise<Schedule | null> {
    const row = await this.db.one('SELECT * FROM schedules WHERE id = $1', [id]);
    return row ? scheduleView(row) : null;
  }

  async create(input: ScheduleRecordInput, now: number): Promise<Schedule> {
    const row = await this.db.one(
      `INSERT INTO schedules (name, cron, timezone, suites, modes, labels, profile, runtime, enabled, last_slot, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING *`,
      [
        input.name,
        input.cron,
        input.timezone,
        JSON.stringify(input.suites),
        JSON.stringify(input.modes),
        JSON.stringify(input.labels),
        input.profile,
        input.runtime,
        input.enabled,
        input.lastSlot,
        now,
      ],
    );
    return scheduleView(row!);
  }

  async update(id: number, patch: Partial<ScheduleRecordInput>, now: number): Promise<Schedule | null> {
    const values: unknown[] = [id, now];
    const sets = ['updated_at = $2'];
    for (const [key, column, json] of SCHEDULE_COLUMNS) {
      if (patch[key] === undefined) continue;
      values.push(json ? JSON.stringify(patch[key]) : patch[key]);
      sets.push(`${column} = $${values.length}`);
    }
    const row = await this.db.one(`UPDATE schedules SET ${sets.join(', ')} WHERE id = $1 RETURNING *`, values);
    return row ? scheduleView(row) : null;
  }

  async delete(id: number): Promise<boolean> {
    return (await this.db.run('DELETE FROM schedules WHERE id = $1', [id])) > 0;
  }
}
