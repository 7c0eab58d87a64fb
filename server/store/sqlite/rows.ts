/**
 * How this backend's rows become the contract's plain data: the column lists
 * the listings share, the samples' byte format, and one mapper per shape.
 *
 * @example decodeSamples(encodeSamples([1.5, 2])) // [1.5, 2]
 */
import { endianness } from 'node:os';
import { caseId as formatCaseId } from '../../../harness/schema.ts';
import { regressionFromRow } from '../core/sql-rows.ts';
import type {
  Annotation,
  Job,
  JobRecord,
  JobStatus,
  Params,
  Regression,
  ResultRow,
  Schedule,
  SeriesInfo,
  TokenInfo,
  TokenRecord,
} from '../core/types.ts';
import type { annotations, jobs, schedules, tokens } from './schema.ts';

const LITTLE_ENDIAN = endianness() === 'LE';

/** Raw samples as little-endian float64, the `results.samples` column's format. */
export function encodeSamples(samples: readonly number[]): Buffer {
  if (LITTLE_ENDIAN) {
    // The host's own float64 layout is the column's: one copy, no call per sample.
    const floats = new Float64Array(samples);
    return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength);
  }
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

export const parseJson = <T>(text: string | null): T => (text === null ? (null as T) : (JSON.parse(text) as T));
export const bool = (v: number | null): boolean | null => (v === null ? null : v !== 0);

/** The columns every result listing reads, joined with its case and mode. */
export const RESULT_COLUMNS = `
  r.id, r.series_id, r.position, r.status, r.unit, r.loop_cost_ns, r.loops, r.ops_per_loop, r.processes,
  r.n, r.mean, r.median, r.min, r.max, r.sd, r.ci_low, r.ci_high, r.margin, r.peak_rss_bytes, r.checksum,
  r.gil_after_load, r.gil_after_run, r.load_before, r.load_after, r.wall_ms, r.warnings, r.error,
  s.name AS suite, b.name AS benchmark, c.key AS case_key, c.params, mo.name AS mode_name, mo.mode AS mode_kind`;
export const RESULT_JOINS = `
  JOIN cases c ON c.id = r.case_id
  JOIN benchmarks b ON b.id = c.benchmark_id
  JOIN suites s ON s.id = b.suite_id
  JOIN modes mo ON mo.id = r.mode_id`;

export interface ResultDbRow {
  id: number;
  series_id: number;
  position: number;
  status: 'ok' | 'error' | 'invalid';
  unit: 'ns';
  loop_cost_ns: number;
  loops: number;
  ops_per_loop: number;
  processes: number;
  n: number | null;
  mean: number | null;
  median: number | null;
  min: number | null;
  max: number | null;
  sd: number | null;
  ci_low: number | null;
  ci_high: number | null;
  margin: number | null;
  peak_rss_bytes: number | null;
  checksum: string | null;
  gil_after_load: number | null;
  gil_after_run: number | null;
  load_before: number | null;
  load_after: number | null;
  wall_ms: number;
  warnings: string;
  error: string | null;
  suite: string;
  benchmark: string;
  case_key: string;
  params: string;
  mode_name: string;
  mode_kind: 'gil' | 'nogil' | 'ft-gil';
}

export const SERIES_COLUMNS = `
  se.id, se.machine_id, m.hostname, s.name AS suite, b.name AS benchmark, c.params, c.key AS case_key,
  se.mode_name, se.mode, se.baseline_from, se.last_started_at, se.point_count`;
export const SERIES_JOINS = `
  JOIN machines m ON m.id = se.machine_id
  JOIN cases c ON c.id = se.case_id
  JOIN benchmarks b ON b.id = c.benchmark_id
  JOIN suites s ON s.id = b.suite_id`;

export interface SeriesDbRow {
  id: number;
  machine_id: number;
  hostname: string;
  suite: string;
  benchmark: string;
  params: string;
  case_key: string;
  mode_name: string;
  mode: 'gil' | 'nogil' | 'ft-gil';
  baseline_from: number | null;
  last_started_at: number | null;
  point_count: number;
}

export const REGRESSION_COLUMNS = `
  g.*, se.machine_id, m.hostname, s.name AS suite, b.name AS benchmark, c.params, c.key AS case_key,
  se.mode_name, se.mode AS mode_kind, ru.id AS run_uuid, pr.id AS previous_run_uuid, dr.id AS detected_run_uuid,
  (SELECT mo.name FROM results r JOIN modes mo ON mo.id = r.mode_id
    WHERE r.run_pk = g.run_pk AND r.series_id = g.series_id LIMIT 1) AS mode_after,
  (SELECT mo.name FROM results r JOIN modes mo ON mo.id = r.mode_id
    WHERE r.run_pk = g.previous_run_pk AND r.series_id = g.series_id LIMIT 1) AS mode_before`;
export const REGRESSION_JOINS = `
  JOIN series se ON se.id = g.series_id
  JOIN machines m ON m.id = se.machine_id
  JOIN cases c ON c.id = se.case_id
  JOIN benchmarks b ON b.id = c.benchmark_id
  JOIN suites s ON s.id = b.suite_id
  JOIN runs ru ON ru.pk = g.run_pk
  LEFT JOIN runs pr ON pr.pk = g.previous_run_pk
  LEFT JOIN runs dr ON dr.pk = g.detected_run_pk`;

// ------------------------------------------------------------- row mappers

export function tokenInfo(row: typeof tokens.$inferSelect): TokenInfo {
  return {
    id: row.id,
    role: row.role,
    machineId: row.machineId,
    name: row.name,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
    expiresAt: row.expiresAt,
    usesLeft: row.usesLeft,
    labels: row.grantLabels,
  };
}

export function resultRow(row: ResultDbRow, samples?: number[]): ResultRow {
  const params = parseJson<Params>(row.params);
  return {
    id: row.id,
    seriesId: row.series_id,
    suite: row.suite,
    benchmark: row.benchmark,
    params,
    caseKey: row.case_key,
    caseId: formatCaseId(row.suite, row.benchmark, params),
    mode: row.mode_name,
    modeKind: row.mode_kind,
    status: row.status,
    unit: row.unit,
    stats:
      row.n === null
        ? null
        : {
            n: row.n,
            mean: row.mean!,
            median: row.median!,
            min: row.min!,
            max: row.max!,
            sd: row.sd!,
            ciLow: row.ci_low!,
            ciHigh: row.ci_high!,
            margin: row.margin!,
          },
    loopCostNs: row.loop_cost_ns,
    loops: row.loops,
    opsPerLoop: row.ops_per_loop,
    processes: row.processes,
    peakRssBytes: row.peak_rss_bytes,
    checksum: row.checksum,
    gil: { afterLoad: bool(row.gil_after_load), afterRun: bool(row.gil_after_run) },
    load: { before: row.load_before, after: row.load_after },
    wallMs: row.wall_ms,
    warnings: parseJson(row.warnings),
    error: parseJson(row.error),
    ...(samples ? { samples } : {}),
  };
}

export function seriesInfo(row: SeriesDbRow): SeriesInfo {
  const params = parseJson<Params>(row.params);
  return {
    id: row.id,
    machineId: row.machine_id,
    hostname: row.hostname,
    suite: row.suite,
    benchmark: row.benchmark,
    params,
    caseKey: row.case_key,
    caseId: formatCaseId(row.suite, row.benchmark, params),
    modeId: row.mode_name,
    mode: row.mode,
    baselineFrom: row.baseline_from,
    lastStartedAt: row.last_started_at,
    points: row.point_count,
  };
}

/** A regression from a row of REGRESSION_SELECT (REGRESSION_COLUMNS over REGRESSION_JOINS); JSON params decoded here. */
export function regressionView(r: Record<string, unknown>): Regression {
  return regressionFromRow(r, parseJson(r.params as string));
}

export function annotationView(a: typeof annotations.$inferSelect, runId: string | null): Annotation {
  return {
    id: a.id,
    at: a.at,
    text: a.text,
    machineId: a.machineId,
    seriesId: a.seriesId,
    runId,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
  };
}

export function scheduleView(s: typeof schedules.$inferSelect): Schedule {
  return {
    id: s.id,
    name: s.name,
    cron: s.cron,
    timezone: s.timezone,
    suites: s.suites,
    modes: s.modes,
    labels: s.labels,
    profile: s.profile,
    runtime: s.runtime,
    enabled: s.enabled,
    lastSlot: s.lastSlot,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

export function jobView(j: typeof jobs.$inferSelect): Job {
  return {
    id: j.id,
    scheduleId: j.scheduleId,
    slot: j.slot,
    status: j.status as JobStatus,
    suites: j.suites,
    modes: j.modes,
    labels: j.labels,
    profile: j.profile,
    runtime: j.runtime,
    machineId: j.machineId,
    claimedBy: j.claimedBy,
    claimedAt: j.claimedAt,
    leaseExpiresAt: j.leaseExpiresAt,
    leaseSeconds: j.leaseSeconds,
    attempts: j.attempts,
    progress: j.progress ?? null,
    runId: j.runId,
    error: j.error,
    createdAt: j.createdAt,
    updatedAt: j.updatedAt,
    finishedAt: j.finishedAt,
  };
}

export function jobRecord(j: typeof jobs.$inferSelect): JobRecord {
  return { ...jobView(j), holders: j.holders };
}

export function tokenRecord(row: typeof tokens.$inferSelect): TokenRecord {
  return { ...tokenInfo(row), secretHash: new Uint8Array(row.secretHash) };
}
