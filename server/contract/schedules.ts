/**
 * Schedules: cron expressions that make jobs, one per time slot.
 *
 * @example
 * ScheduleBody.parse({ name: 'nightly', cron: '0 3 * * *', suites: ['calls'], modes: ['gil', 'nogil'] });
 */
import { Cron } from 'croner';
import { z } from 'zod';
import { label, Millis, name, RowId } from './common.ts';
import { RuntimeSelector } from './runtime-selector.ts';

/** A cron expression croner accepts (5 or 6 fields, or a nickname like @daily). */
export const CronExpression = z
  .string()
  .min(1)
  .max(200)
  .superRefine((value, ctx) => {
    try {
      new Cron(value, { paused: true }).stop();
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `not a cron expression: ${(err as Error).message}` });
    }
  });
const Timezone = z
  .string()
  .max(100)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'not an IANA time zone (e.g. Europe/Paris)');
const scheduleFields = {
  name: z.string().min(1).max(200),
  cron: CronExpression,
  timezone: Timezone.nullable().optional(),
  suites: z.array(name).min(1).max(100),
  modes: z.array(name).min(1).max(20),
  labels: z.array(label).max(50).optional(),
  profile: name.nullable().optional(),
  runtime: RuntimeSelector.nullable().optional(),
  enabled: z.boolean().optional(),
};
export const ScheduleBody = z.object(scheduleFields);
export const SchedulePatch = z
  .object(scheduleFields)
  .partial()
  .refine((p) => Object.keys(p).length > 0, 'give at least one field to change');

/** A schedule with the time of its next job (null when disabled or never again). */
export const Schedule = z.object({
  id: RowId,
  name: z.string(),
  cron: z.string(),
  timezone: z.string().nullable(),
  suites: z.array(z.string()),
  modes: z.array(z.string()),
  labels: z.array(z.string()),
  profile: z.string().nullable(),
  /** The runtime selector each of its jobs carries (`newest` follows releases); null: the agent's default pick. */
  runtime: z.string().nullable(),
  enabled: z.boolean(),
  lastSlot: Millis.nullable(),
  createdAt: Millis,
  updatedAt: Millis,
  nextRun: Millis.nullable(),
});
export type Schedule = z.infer<typeof Schedule>;

export const SchedulesResponse = z.object({ schedules: z.array(Schedule) });
export const ScheduleResponse = z.object({ schedule: Schedule });
