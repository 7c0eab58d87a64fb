/**
 * Reads several subjects share: run summaries with their modes, result rows,
 * series rows, regressions and notes, from SQL rows to the store's types.
 * Text sorts use the "C" collation, so listings order like SQLite's (by bytes)
 * whatever the database's own collation is.
 *
 * @example const [info] = await runInfos(db, ['3f0c…']);
 */
import { caseId as formatCaseId, type Mode } from '../../../harness/schema.ts';
import { regressionFromRow } from '../core/sql-rows.ts';
import type { Annotation, Params, Regression, ResultRow, RunInfo, SeriesInfo } from '../core/types.ts';
import type { Queryable, Row } from './db.ts';

/** Samples as little-endian float64 (the `samples` column), and back. */
export function encodeSamples(samples: readonly number[]): Buffer {
  const buffer = Buffer.allocUnsafe(samples.length * 8);
  for (let i = 0; i < samples.length; i++) buffer.writeDoubleLE(samples[i]!, i * 8);
  return buffer;
}

export function decodeSamples(buffer: Buffer): number[] {
  const samples = new Array<number>(buffer.length / 8);
  for (let i = 0; i < samples.length; i++) samples[i] = buffer.readDoubleLE(i * 8);
  return samples;
}

/** Canonical JSON (keys sorted at every depth): equal values give equal keys. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The modes (as in the run document, in its order) of each run. */
export async function modesOf(db: Queryable, runPks: readonly number[]): Promise<Map<number, Mode[]>> {
  const out = new Map<number, Mode[]>();
  if (runPks.length === 0) return out;
  const rows = await db.rows(
    `SELECT rm.run_pk, mo.name, mo.mode, mo.env, rt.key AS runtime_key, rt.name AS runtime_name, rt.implementation, rt.version,
       rt.free_threaded, rt.gil_enabled_by_default, rt.configure_args, rt.compiler, rt.revision, rt.executable, rt.sha256
     FROM run_modes rm JOIN modes mo ON mo.id = rm.mode_id JOIN runtimes rt ON rt.id = mo.runtime_id
     WHERE rm.run_pk = ANY($1::int[]) ORDER BY rm.run_pk, rm.position`,
    [runPks],
  );
  for (const r of rows) {
    const list = out.get(r.run_pk as number) ?? [];
    list.push({
      id: r.name as string,
      mode: r.mode as Mode['mode'],
      env: r.env as Record<string, string>,
      runtime: {
        // The key is the runtime as it was sent: fields without a column of their own (buildKind) come from it.
        ...JSON.parse(r.runtime_key as string),
        id: r.runtime_name as string,
        implementation: r.implementation as string,
        version: r.version as string,
        freeThreaded: r.free_threaded as boolean,
        gilEnabledByDefault: r.gil_enabled_by_default as boolean,
        configureArgs: r.configure_args as string,
        compiler: r.compiler as string,
        revision: r.revision as string | null,
        executable: r.executable as string,
        sha256: r.sha256 as string,
      },
    } as Mode);
    out.set(r.run_pk as number, list);
  }
  return out;
}

/** Run summaries for these run ids, in the order given (unknown ids left out). */
export async function runInfos(db: Queryable, ids: readonly string[]): Promise<RunInfo[]> {
  if (ids.length === 0) return [];
  const rows = await db.rows(
    `SELECT r.pk, r.id, r.machine_id, m.hostname, r.started_at, r.finished_at, r.profile, r.gilbench_version, r.job_id,
       r.result_count, r.warnings, r.received_at,
       (SELECT count(*) FROM results x WHERE x.run_pk = r.pk AND x.warnings::text <> '[]')::int AS warned_results,
       (SELECT count(*) FROM results x WHERE x.run_pk = r.pk AND x.warnings::text LIKE '%"code":"unstable"%')::int
         AS unstable_results
     FROM runs r JOIN machines m ON m.id = r.machine_id WHERE r.id = ANY($1::text[])`,
    [ids],
  );
  const modes = await modesOf(
    db,
    rows.map((r) => r.pk as number),
  );
  const byId = new Map(rows.map((r) => [r.id as string, r]));
  const out: RunInfo[] = [];
  for (const id of ids) {
    const r = byId.get(id);
    if (!r) continue;
    out.push({
      id: r.id as string,
      machineId: r.machine_id as number,
      hostname: r.hostname as string,
      startedAt: r.started_at as number,
      finishedAt: r.finished_at as number,
      profile: r.profile as string,
      gilbenchVersion: r.gilbench_version as string,
      jobId: r.job_id as string | null,
      modes: modes.get(r.pk as number) ?? [],
      resultCount: r.result_count as number,
      warnedResults: r.warned_results as number,
      unstableResults: r.unstable_results as number,
      warnings: r.warnings as RunInfo['warnings'],
      receivedAt: r.received_at as number,
    });
  }
  return out;
}

/** The columns every result listing reads, joined with its case and mode. */
export const RESULT_SELECT = `
  SELECT r.id, r.series_id, r.position, r.status, r.unit, r.loop_cost_ns, r.loops, r.ops_per_loop, r.processes,
    r.n, r.mean, r.median, r.min, r.max, r.sd, r.ci_low, r.ci_high, r.margin, r.peak_rss_bytes, r.checksum,
    r.gil_after_load, r.gil_after_run, r.load_before, r.load_after, r.wall_ms, r.warnings, r.error,
    s.name AS suite, b.name AS benchmark, c.key AS case_key, c.params, mo.name AS mode_name, mo.mode AS mode_kind`;
export const RESULT_JOINS = `
  JOIN cases c ON c.id = r.case_id
  JOIN benchmarks b ON b.id = c.benchmark_id
  JOIN suites s ON s.id = b.suite_id
  JOIN modes mo ON mo.id = r.mode_id`;

export function resultRow(row: Row, samples?: number[]): ResultRow {
  const params = row.params as Params;
  const n = row.n as number | null;
  return {
    id: row.id as number,
    seriesId: row.series_id as number,
    suite: row.suite as string,
    benchmark: row.benchmark as string,
    params,
    caseKey: row.case_key as string,
    caseId: formatCaseId(row.suite as string, row.benchmark as string, params),
    mode: row.mode_name as string,
    modeKind: row.mode_kind as ResultRow['modeKind'],
    status: row.status as ResultRow['status'],
    unit: row.unit as 'ns',
    stats:
      n === null
        ? null
        : {
            n,
            mean: row.mean as number,
            median: row.median as number,
            min: row.min as number,
            max: row.max as number,
            sd: row.sd as number,
            ciLow: row.ci_low as number,
            ciHigh: row.ci_high as number,
            margin: row.margin as number,
          },
    loopCostNs: row.loop_cost_ns as number,
    loops: row.loops as number,
    opsPerLoop: row.ops_per_loop as number,
    processes: row.processes as number,
    peakRssBytes: row.peak_rss_bytes as number | null,
    checksum: row.checksum as string | null,
    gil: { afterLoad: row.gil_after_load as boolean | null, afterRun: row.gil_after_run as boolean | null },
    load: { before: row.load_before as number | null, after: row.load_after as number | null },
    wallMs: row.wall_ms as number,
    warnings: row.warnings as ResultRow['warnings'],
    error: (row.error as ResultRow['error']) ?? null,
    ...(samples ? { samples } : {}),
  };
}

export const SERIES_SELECT = `
  SELECT se.id, se.machine_id, m.hostname, s.name AS suite, b.name AS benchmark, c.params, c.key AS case_key,
    se.mode_name, se.mode, se.baseline_from, se.last_started_at, se.point_count
  FROM series se
  JOIN machines m ON m.id = se.machine_id
  JOIN cases c ON c.id = se.case_id
  JOIN benchmarks b ON b.id = c.benchmark_id
  JOIN suites s ON s.id = b.suite_id`;

export function seriesInfo(row: Row): SeriesInfo {
  const params = row.params as Params;
  return {
    id: row.id as number,
    machineId: row.machine_id as number,
    hostname: row.hostname as string,
    suite: row.suite as string,
    benchmark: row.benchmark as string,
    params,
    caseKey: row.case_key as string,
    caseId: formatCaseId(row.suite as string, row.benchmark as string, params),
    modeId: row.mode_name as string,
    mode: row.mode as SeriesInfo['mode'],
    baselineFrom: row.baseline_from as number | null,
    lastStartedAt: row.last_started_at as number | null,
    points: row.point_count as number,
  };
}

export const REGRESSION_SELECT = `
  SELECT g.*, se.machine_id, m.hostname, s.name AS suite, b.name AS benchmark, c.params, c.key AS case_key,
    se.mode_name, se.mode AS mode_kind, ru.id AS run_uuid, pr.id AS previous_run_uuid, dr.id AS detected_run_uuid,
  (SELECT mo.name FROM results r JOIN modes mo ON mo.id = r.mode_id
    WHERE r.run_pk = g.run_pk AND r.series_id = g.series_id LIMIT 1) AS mode_after,
  (SELECT mo.name FROM results r JOIN modes mo ON mo.id = r.mode_id
    WHERE r.run_pk = g.previous_run_pk AND r.series_id = g.series_id LIMIT 1) AS mode_before
  FROM regressions g
  JOIN series se ON se.id = g.series_id
  JOIN machines m ON m.id = se.machine_id
  JOIN cases c ON c.id = se.case_id
  JOIN benchmarks b ON b.id = c.benchmark_id
  JOIN suites s ON s.id = b.suite_id
  JOIN runs ru ON ru.pk = g.run_pk
  LEFT JOIN runs pr ON pr.pk = g.previous_run_pk
  LEFT JOIN runs dr ON dr.pk = g.detected_run_pk`;

/** A regression from a row of REGRESSION_SELECT; JSON params decoded here. */
export function regressionView(r: Row): Regression {
  return regressionFromRow(r, r.params as Params);
}

export const ANNOTATION_SELECT = `
  SELECT a.id, a.at, a.text, a.machine_id, a.series_id, ru.id AS run_id, a.created_at, a.updated_at
  FROM annotations a LEFT JOIN runs ru ON ru.pk = a.run_pk`;

export function annotationView(r: Row): Annotation {
  return {
    id: r.id as number,
    at: r.at as number,
    text: r.text as string,
    machineId: r.machine_id as number | null,
    seriesId: r.series_id as number | null,
    runId: (r.run_id as string | null) ?? null,
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
  };
}
