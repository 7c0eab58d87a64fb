/**
 * Cron schedules. Which slot is due is the scheduler's (server/scheduler.ts);
 * the job of a slot is made by `JobStore.createForSlot`.
 *
 * @example
 * const s = await store.schedules.create({ name: 'nightly', cron: '0 3 * * *', ... }, now);
 */
import type { Schedule, ScheduleRecordInput } from './types.ts';

export interface ScheduleStore {
  /** By id. */
  list(): Promise<Schedule[]>;
  get(id: number): Promise<Schedule | null>;
  create(input: ScheduleRecordInput, now: number): Promise<Schedule>;
  /** Sets the given fields and `updatedAt`; null when there is no such schedule. */
  update(id: number, patch: Partial<ScheduleRecordInput>, now: number): Promise<Schedule | null>;
  /** Deletes the schedule; its jobs stay (with no schedule). */
  delete(id: number): Promise<boolean>;
}
