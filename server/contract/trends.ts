/**
 * Trends: a machine's headline numbers run by run (harness/stats/headlines.ts,
 * the same numbers the overview shows for a run), with the runtimes each run
 * measured, so a page can draw them over time and mark a runtime change.
 *
 * @example
 * const { runs } = TrendsResponse.parse(await (await fetch('/api/v1/machines/1/trends?limit=200')).json());
 */
import { z } from 'zod';
import { ModeName } from '../../harness/schema.ts';
import { limit, Millis, RowId, runId } from './common.ts';

export const TrendsQuery = z.object({ limit: limit(1000, 100).describe('the newest runs, at most 1000') });

/** A geometric mean of `count` ratios with its 95% CI. */
export const TrendHeadline = z.object({
  value: z.number(),
  ciLow: z.number(),
  ciHigh: z.number(),
  count: z.number().int().positive(),
});

/** A run's headlines; each is null when the run cannot give it (a mode or a suite missing). */
export const RunHeadlines = z.object({
  /** nogil/gil time on the single-thread suite (`all`: every suite, when the run has no single-thread suite). */
  overhead: TrendHeadline.extend({ scope: z.enum(['single-thread', 'all']) }).nullable(),
  /** nogil/gil peak RSS, geometric mean over cases (no CI). */
  memory: z.object({ value: z.number(), count: z.number().int().positive() }).nullable(),
  /** nogil's work per second against gil on one thread, at the most threads. */
  scaling: TrendHeadline.extend({ threads: z.number().int() }).nullable(),
  /** nogil/gil time per call over call kinds and arities, one thread. */
  calls: TrendHeadline.nullable(),
  /** A Lock around a read against the lock-free read, without a writer, at the most threads. */
  locks: z
    .object({ threads: z.number().int(), gil: TrendHeadline.nullable(), nogil: TrendHeadline.nullable() })
    .nullable(),
});
export type RunHeadlines = z.infer<typeof RunHeadlines>;

/** One run of a trend: when, what it measured with, what its numbers rest on, and its headlines. */
export const TrendRun = z.object({
  runId,
  startedAt: Millis,
  profile: z.string(),
  resultCount: z.number().int().nonnegative(),
  warnedResults: z.number().int().nonnegative(),
  unstableResults: z.number().int().nonnegative(),
  /** Each mode's runtime: version, build kind (`fast` for documents that predate build kinds). */
  modes: z.array(
    z.object({
      id: z.string(),
      mode: ModeName,
      version: z.string(),
      buildKind: z.enum(['fast', 'release']),
      freeThreaded: z.boolean(),
    }),
  ),
  headlines: RunHeadlines,
});
export type TrendRun = z.infer<typeof TrendRun>;

export const TrendsResponse = z.object({
  machineId: RowId,
  /** Newest first, as every list of runs. */
  runs: z.array(TrendRun),
});
export type TrendsResponse = z.infer<typeof TrendsResponse>;
