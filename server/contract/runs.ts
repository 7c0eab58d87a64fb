/**
 * Runs: the upload of a run document (harness/schema.ts, the measurement
 * contract, re-used as is), listing, one run with its results, deletion.
 *
 * @example
 * const { run } = RunResponse.parse(await (await fetch(`/api/v1/runs/${id}`)).json());
 */
import { z } from 'zod';
import { Machine, Mode, ModeName, Result, RunDocument, Stats, SuiteInfo, Warning } from '../../harness/schema.ts';
import { flag, id, limit, Millis, Params, RowId, runId, time } from './common.ts';
import { RESULT_STATUSES } from './enums.ts';
import { Regression } from './regressions.ts';

export { RunDocument };
export const RunsQuery = z.object({ machine: id.optional(), before: time.optional(), limit: limit(1000, 100) });
export const RunQuery = z.object({ samples: flag });

/** A run without its results. */
export const RunInfo = z.object({
  id: runId,
  machineId: RowId,
  hostname: z.string(),
  startedAt: Millis,
  finishedAt: Millis,
  profile: z.string(),
  gilbenchVersion: z.string(),
  jobId: z.string().nullable(),
  modes: z.array(Mode),
  resultCount: z.number().int().nonnegative(),
  /** Results carrying at least one warning; of those, the `unstable` ones. */
  warnedResults: z.number().int().nonnegative(),
  unstableResults: z.number().int().nonnegative(),
  warnings: z.array(Warning),
  receivedAt: Millis,
});
export type RunInfo = z.infer<typeof RunInfo>;

/** A stored result: the document's result with its series and case named. */
export const ResultRow = z.object({
  id: RowId,
  seriesId: RowId,
  suite: z.string(),
  benchmark: z.string(),
  params: Params,
  caseKey: z.string(),
  /** `suite/benchmark[params]`. */
  caseId: z.string(),
  /** The mode's id, e.g. `cpython-3.13.5t/nogil`. */
  mode: z.string(),
  modeKind: ModeName,
  status: z.enum(RESULT_STATUSES),
  unit: z.literal('ns'),
  stats: Stats.nullable(),
  loopCostNs: z.number(),
  loops: z.number().int(),
  opsPerLoop: z.number().int(),
  processes: z.number().int(),
  peakRssBytes: z.number().nullable(),
  checksum: z.string().nullable(),
  gil: Result.shape.gil,
  load: Result.shape.load,
  wallMs: z.number(),
  warnings: z.array(Warning),
  error: Result.shape.error,
  /** Raw samples, only when asked for (`?samples=1`). */
  samples: z.array(z.number()).optional(),
});
export type ResultRow = z.infer<typeof ResultRow>;

export const RunDetail = RunInfo.extend({
  machine: Machine,
  suites: z.array(SuiteInfo),
  results: z.array(ResultRow),
});
export type RunDetail = z.infer<typeof RunDetail>;

export const RunsResponse = z.object({ runs: z.array(RunInfo) });
export const RunResponse = z.object({ run: RunDetail });
/** The answer of an upload: 201 when stored now, 200 when stored already (then no regressions). */
export const IngestResponse = z.object({ created: z.boolean(), run: RunInfo, regressions: z.array(Regression) });
export type IngestResponse = z.infer<typeof IngestResponse>;
