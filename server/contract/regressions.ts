/**
 * Regressions: changes the detector found in a series (slower or faster),
 * and what a person decided about them.
 *
 * @example
 * RegressionPatch.parse({ status: 'acknowledged', note: 'expected: new allocator' });
 */
import { z } from 'zod';
import { ModeName } from '../../harness/schema.ts';
import { id, limit, Millis, Params, RowId, runId, time } from './common.ts';
import { REGRESSION_KINDS, REGRESSION_STATUSES } from './enums.ts';

export const RegressionsQuery = z.object({
  status: z.enum(REGRESSION_STATUSES).optional(),
  kind: z.enum(REGRESSION_KINDS).optional(),
  machine: id.optional(),
  series: id.optional(),
  from: time.optional(),
  to: time.optional(),
  limit: limit(5000, 500),
});
export const RegressionPatch = z
  .object({ status: z.enum(REGRESSION_STATUSES).optional(), note: z.string().max(4000).optional() })
  .refine((p) => p.status !== undefined || p.note !== undefined, 'give a status, a note or both');

/** One detected change; `change` is relative (0.1 = 10% slower), with its CI. */
export const Regression = z.object({
  id: RowId,
  seriesId: RowId,
  machineId: RowId,
  hostname: z.string(),
  suite: z.string(),
  benchmark: z.string(),
  params: Params,
  caseKey: z.string(),
  /** The mode id of the first run after the change. */
  modeId: z.string(),
  /**
   * Set when the runs on each side of the change measured different runtimes (a release or build kind change,
   * `cpython-3.13.5t/nogil` → `cpython-3.13.15t/nogil`): the change is the runtime's, not the code's.
   */
  runtimeChange: z.object({ from: z.string(), to: z.string() }).nullable().optional(),
  mode: ModeName,
  kind: z.enum(REGRESSION_KINDS),
  status: z.enum(REGRESSION_STATUSES),
  note: z.string(),
  change: z.number(),
  changeCiLow: z.number(),
  changeCiHigh: z.number(),
  confidence: z.number(),
  score: z.number(),
  beforeNs: z.number(),
  afterNs: z.number(),
  noise: z.number(),
  beforeCount: z.number().int(),
  afterCount: z.number().int(),
  method: z.string(),
  /** Start of the first run after the change. */
  startedAt: Millis,
  runId,
  previousRunId: runId.nullable(),
  detectedRunId: runId.nullable(),
  detectedAt: Millis,
  updatedAt: Millis,
});
export type Regression = z.infer<typeof Regression>;

export const RegressionsResponse = z.object({
  regressions: z.array(Regression),
  /** How many match the filter, whatever the limit: a count needs no paging. */
  total: z.number().int().nonnegative(),
});
export type RegressionsResponse = z.infer<typeof RegressionsResponse>;
export const RegressionResponse = z.object({ regression: Regression });
