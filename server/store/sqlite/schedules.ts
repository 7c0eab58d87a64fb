/**
 * Schedules in SQLite.
 * @example const all = await store.schedules.list();
 */
import { asc, eq } from 'drizzle-orm';
import type { ScheduleStore } from '../core/schedules.ts';
import type { Schedule, ScheduleRecordInput } from '../core/types.ts';
import type { SqliteDb } from './db.ts';
import { scheduleView } from './rows.ts';
import { schedules } from './schema.ts';

export class SqliteSchedules implements ScheduleStore {
  constructor(readonly db: SqliteDb) {}

  async list(): Promise<Schedule[]> {
    return this.db.orm.select().from(schedules).orderBy(asc(schedules.id)).all().map(scheduleView);
  }

  async get(id: number): Promise<Schedule | null> {
    const row = this.db.orm.select().from(schedules).where(eq(schedules.id, id)).get();
    return row ? scheduleView(row) : null;
  }

  async create(input: ScheduleRecordInput, now: number): Promise<Schedule> {
    const row = this.db.orm
      .insert(schedules)
      .values({ ...input, createdAt: now, updatedAt: now })
      .returning()
      .get();
    return scheduleView(row);
  }

  async update(id: number, patch: Partial<ScheduleRecordInput>, now: number): Promise<Schedule | null> {
    const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    const row = this.db.orm
      .update(schedules)
      .set({ ...set, updatedAt: now })
      .where(eq(schedules.id, id))
      .returning()
      .get();
    return row ? scheduleView(row) : null;
  }

  async delete(id: number): Promise<boolean> {
    return this.db.orm.delete(schedules).where(eq(schedules.id, id)).run().changes > 0;
  }
}
