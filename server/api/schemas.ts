/**
 * The API's request shapes (zod): path parameters, query strings and bodies.
 * Route definitions (routes.ts) reference these; the OpenAPI description is
 * generated from them, so what is validated is what is documented.
 */
import { Cron } from 'croner';
import { z } from 'zod';
import { Machine } from '../../harness/schema.ts';
import { JOB_STATUSES, REGRESSION_STATUSES } from '../store/core/types.ts';

/**
 * A whole number that may come as a JSON number (bodies) or as plain decimal
 * digits (paths and query strings). Coercion would also read `0x1`, `1e0`,
 * `1.0` or ` 1` as 1, so two spellings would name one row; only digits are read.
 */
const wholeNumber = (schema: z.ZodNumber) =>
  z.preprocess((v) => (typeof v === 'string' && /^(0|[1-9][0-9]{0,15})$/.test(v) ? Number(v) : v), schema);
const id = wholeNumber(z.number().int().positive().max(Number.MAX_SAFE_INTEGER));
const time = wholeNumber(z.number().int().min(0).max(8.64e15)).describe('milliseconds since the epoch');
const limit = (max: number, fallback: number) => wholeNumber(z.number().int().min(1).max(max)).default(fallback);
const flag = z
  .enum(['0', '1', 'true', 'false'])
  .transform((v) => v === '1' || v === 'true')
  .optional();
const name = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_.:@+\-/ =,[\]]+$/, 'use letters, digits and _.:@+-/ =,[] only');
const label = z.string().min(1).max(100);

export const IdParam = z.object({ id });
export const RunIdParam = z.object({ id: z.string().uuid() });
export const TokenIdParam = z.object({ id: z.string().regex(/^[0-9a-f]{16}$/, 'a token id is 16 hex digits') });

export const RunsQuery = z.object({ machine: id.optional(), before: time.optional(), limit: limit(1000, 100) });
export const RunQuery = z.object({ samples: flag });
export const CompareModesQuery = z.object({
  base: name.optional().describe('base mode id or name (gil, nogil, ft-gil); default: the gil mode'),
  other: name.describe('the mode compared with the base'),
});
export const CompareRunsQuery = z.object({
  base: z.string().uuid().describe('run id of the base'),
  other: z.string().uuid().describe('run id compared with the base'),
  mode: name.describe('the mode id compared in both runs'),
});
export const SeriesQuery = z.object({
  machine: id.optional(),
  suite: name.optional(),
  benchmark: name.optional(),
  case: z.string().max(2000).optional().describe("canonical case key, e.g. 'lock=rlock,threads=4'"),
  mode: name.optional().describe('mode id (cpython-3.13.5t/nogil) or mode name (nogil)'),
  limit: limit(100_000, 10_000),
});
export const HistoryQuery = z.object({ from: time.optional(), to: time.optional(), limit: limit(100_000, 10_000) });
export const RegressionsQuery = z.object({
  status: z.enum(REGRESSION_STATUSES).optional(),
  kind: z.enum(['regression', 'improvement']).optional(),
  machine: id.optional(),
  series: id.optional(),
  from: time.optional(),
  to: time.optional(),
  limit: limit(5000, 500),
});
export const AnnotationsQuery = z.object({
  machine: id.optional(),
  series: id.optional(),
  run: z.string().uuid().optional(),
  from: time.optional(),
  to: time.optional(),
  limit: limit(5000, 1000),
});
export const JobsQuery = z.object({
  status: z.enum(JOB_STATUSES).optional(),
  machine: id.optional(),
  schedule: id.optional(),
  limit: limit(1000, 200),
});

export const EnrollBody = z.object({ machine: Machine });
export const HeartbeatBody = z.object({
  status: z.enum(['idle', 'running']).default('idle'),
  jobId: z
    .union([z.string().max(100), z.number()])
    .nullable()
    .optional(),
  machine: Machine.optional(),
  machineId: id.optional().describe('admin only: the machine the heartbeat is for'),
});
export const ClaimBody = z.object({
  labels: z.array(label).max(50).optional().describe("the agent's labels (default: the machine's)"),
  leaseSeconds: z
    .number()
    .int()
    .min(10)
    .max(7 * 86_400)
    .default(900),
  machineId: id.optional().describe('admin only: claim for this machine'),
});
export const ProgressBody = z.object({
  done: z.number().int().min(0).max(1e9),
  total: z.number().int().min(0).max(1e9),
  message: z.string().max(500).default(''),
});
export const CompleteBody = z.object({ runId: z.string().uuid() });
export const FailBody = z.object({ error: z.string().min(1).max(4000), requeue: z.boolean().default(false) });

export const RegressionPatch = z
  .object({ status: z.enum(REGRESSION_STATUSES).optional(), note: z.string().max(4000).optional() })
  .refine((p) => p.status !== undefined || p.note !== undefined, 'give a status, a note or both');

const annotationFields = {
  at: time.optional(),
  text: z.string().min(1).max(4000),
  machineId: id.nullable().optional(),
  seriesId: id.nullable().optional(),
  runId: z.string().uuid().nullable().optional(),
};
export const AnnotationBody = z.object(annotationFields);
export const AnnotationPatch = z
  .object(annotationFields)
  .partial()
  .refine((p) => Object.keys(p).length > 0, 'give at least one field to change');

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
  enabled: z.boolean().optional(),
};
export const ScheduleBody = z.object(scheduleFields);
export const SchedulePatch = z
  .object(scheduleFields)
  .partial()
  .refine((p) => Object.keys(p).length > 0, 'give at least one field to change');

export const JobBody = z.object({
  suites: z.array(name).min(1).max(100),
  modes: z.array(name).min(1).max(20),
  labels: z.array(label).max(50).optional(),
  profile: name.nullable().optional(),
  machineId: id.nullable().optional().describe('only this machine may claim it'),
});
export const TokenBody = z.object({
  role: z.enum(['admin', 'enroll']),
  name: z.string().max(200).optional(),
});
export const MachinePatch = z.object({ labels: z.array(label).max(50) });
