/**
 * Series and their history: the points of one machine, mode and case over
 * time, with the changes and notes in their range.
 *
 * @example
 * const { points } = HistoryResponse.parse(await (await fetch(`/api/v1/series/${id}/history`)).json());
 */
import { z } from 'zod';
import { ModeName } from '../../harness/schema.ts';
import { Annotation } from './annotations.ts';
import { id, limit, Millis, name, Params, RowId, runId, time } from './common.ts';
import { RESULT_STATUSES } from './enums.ts';
import { Regression } from './regressions.ts';

export const SeriesQuery = z.object({
  machine: id.optional(),
  suite: name.optional(),
  benchmark: name.optional(),
  case: z.string().max(2000).optional().describe("canonical case key, e.g. 'lock=rlock,threads=4'"),
  mode: name.optional().describe('mode id (cpython-3.13.5t/nogil) or mode name (nogil)'),
  limit: limit(100_000, 10_000),
});
export const HistoryQuery = z.object({ from: time.optional(), to: time.optional(), limit: limit(100_000, 10_000) });

export const SeriesInfo = z.object({
  id: RowId,
  machineId: RowId,
  hostname: z.string(),
  suite: z.string(),
  benchmark: z.string(),
  params: Params,
  caseKey: z.string(),
  caseId: z.string(),
  modeId: z.string(),
  mode: ModeName,
  /** The detector reads points from this time on (null: from the first). */
  baselineFrom: Millis.nullable(),
  lastStartedAt: Millis.nullable(),
  points: z.number().int().nonnegative(),
});
export type SeriesInfo = z.infer<typeof SeriesInfo>;

/** One point of a series: one run's result, its median and CI in ns. */
export const HistoryPoint = z.object({
  runId,
  at: Millis,
  status: z.enum(RESULT_STATUSES),
  n: z.number().int().nullable(),
  median: z.number().nullable(),
  ciLow: z.number().nullable(),
  ciHigh: z.number().nullable(),
});
export type HistoryPoint = z.infer<typeof HistoryPoint>;

/**
 * A series' points as columns: the i-th entry of every array is one point
 * (oldest first). A third of the JSON of an array of point objects is their
 * keys, repeated 10,000 times.
 */
export const HistoryColumns = z.object({
  runId: z.array(runId),
  at: z.array(Millis),
  status: z.array(z.enum(RESULT_STATUSES)),
  n: z.array(z.number().int().nullable()),
  median: z.array(z.number().nullable()),
  ciLow: z.array(z.number().nullable()),
  ciHigh: z.array(z.number().nullable()),
});
export type HistoryColumns = z.infer<typeof HistoryColumns>;

/**
 * A point measured on another runtime than the point before it: a new release or build kind. A series is one
 * machine, case and mode kind, so it goes on across runtimes; the history marks where they changed.
 */
export const RuntimeChange = z.object({
  at: Millis,
  runId,
  /** Mode ids on each side: `cpython-3.13.5t/nogil` → `cpython-3.13.15t/nogil`. */
  from: z.string(),
  to: z.string(),
});
export type RuntimeChange = z.infer<typeof RuntimeChange>;

export const SeriesListResponse = z.object({ series: z.array(SeriesInfo) });
export const SeriesResponse = z.object({ series: SeriesInfo });
export const HistoryResponse = z.object({
  series: SeriesInfo,
  points: HistoryColumns,
  /** Changes found in the range of the points. */
  regressions: z.array(Regression),
  /** Notes in the range: on this series, its machine, or everything. */
  annotations: z.array(Annotation),
  /** Where the series' runtime changed, in the range of the points (optional: servers before issue #15). */
  runtimeChanges: z.array(RuntimeChange).optional(),
});
export type HistoryResponse = z.infer<typeof HistoryResponse>;

/** A history with its points as one object each (how the store and the pages read it). */
export type HistoryView = Omit<HistoryResponse, 'points'> & { points: HistoryPoint[] };
