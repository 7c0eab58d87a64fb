/**
 * Rows both SQL backends read alike: the same snake_case columns, from the
 * same joins, into the store's types. What differs by dialect is decoded by
 * the backend first (SQLite keeps JSON as text, PostgreSQL hands it parsed).
 *
 * @example
 * // sqlite/rows.ts
 * export const regressionView = (r: SqlRow) => regressionFromRow(r, parseJson(r.params as string));
 */
import { type Params, type Regression, type RegressionStatus, runtimeChangeOf } from './types.ts';

/** One row as a driver returns it: column name to value. */
export type SqlRow = Record<string, unknown>;

/**
 * A regression from a row of `regressions` joined with its series, case, machine and runs
 * (columns `run_uuid`, `previous_run_uuid`, `detected_run_uuid`, and the modes of the results on
 * both sides as `mode_before` / `mode_after`).
 */
export function regressionFromRow(r: SqlRow, params: Params): Regression {
  return {
    id: r.id as number,
    seriesId: r.series_id as number,
    machineId: r.machine_id as number,
    hostname: r.hostname as string,
    suite: r.suite as string,
    benchmark: r.benchmark as string,
    params,
    caseKey: r.case_key as string,
    modeId: (r.mode_after as string | null) ?? (r.mode_name as string),
    runtimeChange: runtimeChangeOf(r.mode_before as string | null, r.mode_after as string | null),
    mode: r.mode_kind as Regression['mode'],
    kind: r.kind as Regression['kind'],
    status: r.status as RegressionStatus,
    note: r.note as string,
    change: r.change as number,
    changeCiLow: r.change_ci_low as number,
    changeCiHigh: r.change_ci_high as number,
    confidence: r.confidence as number,
    score: r.score as number,
    beforeNs: r.before_ns as number,
    afterNs: r.after_ns as number,
    noise: r.noise as number,
    beforeCount: r.before_count as number,
    afterCount: r.after_count as number,
    method: r.method as string,
    startedAt: r.started_at as number,
    runId: r.run_uuid as string,
    previousRunId: (r.previous_run_uuid as string | null) ?? null,
    detectedRunId: (r.detected_run_uuid as string | null) ?? null,
    detectedAt: r.detected_at as number,
    updatedAt: r.updated_at as number,
  };
}
