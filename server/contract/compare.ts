/**
 * Comparisons, computed by the server with the harness's statistics: two
 * modes of one run, one mode in two runs, a run's scaling curves and lock costs.
 * Ratios are `other / base` times: above 1 means the other side is slower.
 *
 * @example
 * const view = ComparisonView.parse(await (await fetch(`/api/v1/runs/${id}/compare?other=nogil`)).json());
 */
import { z } from 'zod';
import { CaseParams, ModeName, Stats } from '../../harness/schema.ts';
import type { LockCost as HarnessLockCost } from '../../harness/stats/lock-costs.ts';
import type { ScalingCurve as HarnessScalingCurve } from '../../harness/stats/scaling.ts';
import type { GeometricMean as HarnessGeometricMean } from '../../harness/stats/types.ts';
import { name, Params, runId } from './common.ts';

export const CompareModesQuery = z.object({
  base: name.optional().describe('base mode id or name (gil, nogil, ft-gil); default: the gil mode'),
  other: name.describe('the mode compared with the base'),
});
/** `GET /runs/:id/summary.md`: every mode of the run against one base, as Markdown. */
export const SummaryQuery = z.object({
  base: name.optional().describe('base mode id or name (gil, nogil, ft-gil); default: the gil mode'),
});
export const CompareRunsQuery = z.object({
  base: runId.describe('run id of the base'),
  other: runId.describe('run id compared with the base'),
  mode: name.describe('the mode id compared in both runs'),
});

/** Geometric mean of several ratios with a 95% CI (harness/stats `geometricMean`). */
export const GeometricMean = z.object({
  value: z.number(),
  ciLow: z.number(),
  ciHigh: z.number(),
  count: z.number().int(),
  skipped: z.number().int(),
  geometricSd: z.number(),
  min: z.number(),
  max: z.number(),
}) satisfies z.ZodType<HarnessGeometricMean>;
export type GeometricMean = z.infer<typeof GeometricMean>;

export const ComparisonRow = z.object({
  suite: z.string(),
  benchmark: z.string(),
  params: Params,
  caseId: z.string(),
  base: Stats.nullable(),
  other: Stats.nullable(),
  ratio: z.number().nullable(),
  ciLow: z.number().nullable(),
  ciHigh: z.number().nullable(),
  pValue: z.number().nullable(),
  significant: z.boolean(),
  reason: z.string().nullable(),
});
export type ComparisonRow = z.infer<typeof ComparisonRow>;

const ComparisonSide = z.object({
  label: z.string(),
  runId,
  mode: z.object({ id: z.string(), mode: ModeName }),
});

export const ComparisonView = z.object({
  base: ComparisonSide,
  other: ComparisonSide,
  /** `other / base` time ratios: > 1 means the other side is slower. */
  rows: z.array(ComparisonRow),
  geometricMean: GeometricMean.nullable(),
  suites: z.array(z.object({ suite: z.string(), geometricMean: GeometricMean.nullable() })),
  /**
   * Set when the two sides ran on different releases or build kinds (the mode ids): a ratio then mixes the
   * runtime's change with the code's. Optional: servers before issue #15 leave it out.
   */
  runtimeChange: z.object({ from: z.string(), to: z.string() }).nullable().optional(),
});
export type ComparisonView = z.infer<typeof ComparisonView>;

export const ScalingPoint = z.object({
  threads: z.number().int().positive(),
  /** Median time per operation per thread, ns. */
  medianNs: z.number(),
  speedup: z.number(),
  ciLow: z.number(),
  ciHigh: z.number(),
  efficiency: z.number(),
});
export type ScalingPoint = z.infer<typeof ScalingPoint>;

export const ScalingCurve = z.object({
  suite: z.string(),
  benchmark: z.string(),
  /** The case's parameters other than `threads`. */
  params: CaseParams,
  mode: z.string(),
  points: z.array(ScalingPoint),
}) satisfies z.ZodType<HarnessScalingCurve>;
export type ScalingCurve = z.infer<typeof ScalingCurve>;

export const ScalingResponse = z.object({ runId, curves: z.array(ScalingCurve) });

/** What a lock costs a reader against the lock-free read (harness/stats/lock-costs.ts). */
export const LockCost = z.object({
  /** The read kind: the locks benchmark (`dict-read`, ...). */
  kind: z.string(),
  mode: z.string(),
  writer: z.boolean(),
  lock: z.string(),
  threads: z.number().int().positive(),
  /** t(lock) / t(lock-free), with the 95% CI of the two medians' ratio. */
  ratio: z.number(),
  ciLow: z.number(),
  ciHigh: z.number(),
  /** The lock-free read's median, ns. */
  noneNs: z.number(),
}) satisfies z.ZodType<HarnessLockCost>;
export type LockCost = z.infer<typeof LockCost>;

export const LocksResponse = z.object({ runId, costs: z.array(LockCost) });
