/**
 * Jobs in SQLite. A claim is one UPDATE … WHERE id = (SELECT …) inside a write
 * transaction taken up front, so two claimers (in any process) queue on the
 * database's write lock and never get the same job.
 * @example const job = await store.jobs.claimNext({ machineId: 3, labels: [], leaseSeconds: 600, now: Date.now() });
 */
import { and, desc, eq, inArray, isNull, lte, type SQL, sql } from 'drizzle-orm';
import type { JobStore } from '../core/jobs.ts';
import type { ClaimRequest, Job, JobFilter, JobGuard, JobPatch, JobRecord, JobSpec } from '../core/types.ts';
import type { SqliteDb } from './db.ts';
import { jobRecord, jobView } from './rows.ts';
import { jobs, schedules } from './schema.ts';

export class SqliteJobs implements JobStore {
  constructor(readonly db: SqliteDb) {}

  #job(id: number): Job | null {
    const row = this.db.orm.select().from(jobs).where(eq(jobs.id, id)).get();
    return row ? jobView(row) : null;
  }

  async create(spec: JobSpec, now: number): Promise<Job> {
    const row = this.db.orm
      .insert(jobs)
      .values({ ...spec, status: 'queued', createdAt: now, updatedAt: now })
      .returning()
      .get();
    return jobView(row);
  }

  async createForSlot(scheduleId: number, slot: number, spec: JobSpec, now: number): Promise<Job | null> {
    return this.db.write(() => {
      // The unique (schedule, slot) index makes a second insert for the slot a no-op, in any process.
      const row = this.db
        .sql(
          `INSERT INTO jobs (schedule_id, slot, suites, modes, labels, profile, runtime, machine_id, status, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?) ON CONFLICT (schedule_id, slot) DO NOTHING RETURNING id`,
        )
        .get(
          scheduleId,
          slot,
          JSON.stringify(spec.suites),
          JSON.stringify(spec.modes),
          JSON.stringify(spec.labels),
          spec.profile,
          spec.runtime,
          spec.machineId,
          now,
          now,
        ) as { id: number } | undefined;
      this.db.orm
        .update(schedules)
        .set({ lastSlot: sql`max(coalesce(${schedules.lastSlot}, 0), ${slot})` })
        .where(eq(schedules.id, scheduleId))
        .run();
      return row ? this.#job(row.id) : null;
    });
  }

  async list(filter: JobFilter): Promise<Job[]> {
    const where: SQL[] = [];
    if (filter.status) where.push(eq(jobs.status, filter.status));
    if (filter.machine !== undefined) {
      where.push(sql`(${jobs.machineId} = ${filter.machine} OR ${jobs.claimedBy} = ${filter.machine})`);
    }
    if (filter.schedule !== undefined) where.push(eq(jobs.scheduleId, filter.schedule));
    return this.db.orm
      .select()
      .from(jobs)
      .where(where.length ? and(...where) : undefined)
      .orderBy(desc(jobs.createdAt), desc(jobs.id))
      .limit(filter.limit ?? 200)
      .all()
      .map(jobView);
  }

  async get(id: number): Promise<JobRecord | null> {
    const row = this.db.orm.select().from(jobs).where(eq(jobs.id, id)).get();
    return row ? jobRecord(row) : null;
  }

  async listExpired(now: number): Promise<JobRecord[]> {
    return this.db.orm
      .select()
      .from(jobs)
      .where(and(eq(jobs.status, 'running'), lte(jobs.leaseExpiresAt, now)))
      .all()
      .map(jobRecord);
  }

  async claimNext(request: ClaimRequest): Promise<Job | null> {
    const row = this.db.write(
      () =>
        this.db
          .sql(
            `UPDATE jobs SET status = 'running', claimed_by = @machine, claimed_at = @now, lease_expires_at = @expires,
               lease_seconds = @lease, attempts = attempts + 1, progress = NULL, updated_at = @now,
               holders = json_insert(holders, '$[#]', @machine)
             WHERE id = (
               SELECT j.id FROM jobs j WHERE j.status = 'queued' AND (j.machine_id IS NULL OR j.machine_id = @machine)
                 AND NOT EXISTS (SELECT 1 FROM json_each(j.labels) l WHERE l.value NOT IN (SELECT value FROM json_each(@labels)))
               ORDER BY j.created_at, j.id LIMIT 1)
             RETURNING id`,
          )
          .get({
            machine: request.machineId,
            now: request.now,
            expires: request.now + request.leaseSeconds * 1000,
            lease: request.leaseSeconds,
            labels: JSON.stringify(request.labels),
          }) as { id: number } | undefined,
    );
    return row ? this.#job(row.id) : null;
  }

  async update(id: number, guard: JobGuard, patch: JobPatch, now: number): Promise<Job | null> {
    const where: SQL[] = [eq(jobs.id, id)];
    if (guard.status) where.push(inArray(jobs.status, [...guard.status]));
    if (guard.claimedBy !== undefined) {
      where.push(guard.claimedBy === null ? isNull(jobs.claimedBy) : eq(jobs.claimedBy, guard.claimedBy));
    }
    if (guard.attempts !== undefined) where.push(eq(jobs.attempts, guard.attempts));
    if (guard.leaseExpiredBy !== undefined) where.push(lte(jobs.leaseExpiresAt, guard.leaseExpiredBy));
    const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    // One statement: the guard is checked by the same write that applies the patch.
    const row = this.db.orm
      .update(jobs)
      .set({ ...set, updatedAt: now })
      .where(and(...where))
      .returning()
      .get();
    return row ? jobView(row) : null;
  }
}
