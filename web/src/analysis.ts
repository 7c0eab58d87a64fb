/**
 * Shapes the results of one run for the scaling, calls and locks pages.
 * Pure arithmetic on the medians the server sends (no statistics of our own):
 *
 * - Threaded benchmarks are weak-scaling (every thread does the full work and
 *   a sample is the wall time until the last thread ends), so with `t(n)` the
 *   median at n threads, speedup(n) = n · t(1) / t(n) and efficiency(n) =
 *   t(1) / t(n). Ideal: speedup n, efficiency 1.
 * - Calls: ns per call against `arity`, one line per mode.
 * - Locks: read cost against threads, one line per (mode, lock kind).
 *
 * @example
 * const groups = scalingGroups(run.results); // one per (benchmark, other params, mode)
 */
import type { Params, ResultRow } from './api.ts';

export interface ScalingPoint {
  threads: number;
  medianNs: number;
  speedup: number;
  efficiency: number;
}

export interface ScalingGroup {
  suite: string;
  benchmark: string;
  /** Parameters other than `threads` (e.g. `lock=rlock`). */
  params: Params;
  /** Mode id. */
  mode: string;
  points: ScalingPoint[];
}

/** `suite/benchmark` plus the non-thread parameters: the workload a scaling line belongs to. */
export function workloadKey(suite: string, benchmark: string, params: Params): string {
  const rest = Object.keys(params)
    .filter((k) => k !== 'threads')
    .sort()
    .map((k) => `${k}=${String(params[k])}`)
    .join(',');
  return rest ? `${suite}/${benchmark}[${rest}]` : `${suite}/${benchmark}`;
}

function withoutThreads(params: Params): Params {
  const { threads: _threads, ...rest } = params;
  return rest;
}

function usable(r: ResultRow): r is ResultRow & { stats: NonNullable<ResultRow['stats']> } {
  return r.status === 'ok' && r.stats !== null && r.stats.median > 0;
}

/**
 * Results with a `threads` parameter grouped into scaling lines; a group
 * without a 1-thread result has no reference and is left out.
 */
export function scalingGroups(results: readonly ResultRow[]): ScalingGroup[] {
  const groups = new Map<
    string,
    { suite: string; benchmark: string; params: Params; mode: string; byThreads: Map<number, number> }
  >();
  for (const r of results) {
    const threads = Number(r.params.threads);
    if (!('threads' in r.params) || !Number.isInteger(threads) || threads < 1 || !usable(r)) continue;
    const key = `${workloadKey(r.suite, r.benchmark, r.params)}\u0000${r.mode}`;
    let g = groups.get(key);
    if (!g) {
      g = {
        suite: r.suite,
        benchmark: r.benchmark,
        params: withoutThreads(r.params),
        mode: r.mode,
        byThreads: new Map(),
      };
      groups.set(key, g);
    }
    g.byThreads.set(threads, r.stats.median);
  }
  const out: ScalingGroup[] = [];
  for (const g of groups.values()) {
    const t1 = g.byThreads.get(1);
    if (t1 === undefined) continue;
    const points = [...g.byThreads.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([threads, medianNs]) => ({
        threads,
        medianNs,
        speedup: (threads * t1) / medianNs,
        efficiency: t1 / medianNs,
      }));
    out.push({ suite: g.suite, benchmark: g.benchmark, params: g.params, mode: g.mode, points });
  }
  return out;
}

/** Efficiency at the largest thread count of each group (null when only 1 thread was run). */
export function efficiencyAtMostThreads(group: ScalingGroup): { threads: number; efficiency: number } | null {
  const last = group.points[group.points.length - 1];
  if (!last || last.threads === 1) return null;
  return { threads: last.threads, efficiency: last.efficiency };
}

export interface WorkloadEfficiency {
  workload: string;
  suite: string;
  benchmark: string;
  params: Params;
  mode: string;
  threads: number;
  efficiency: number;
}

/** Every group's efficiency at its most threads, worst first. */
export function worstScaling(groups: readonly ScalingGroup[], mode?: string): WorkloadEfficiency[] {
  const rows: WorkloadEfficiency[] = [];
  for (const g of groups) {
    if (mode && g.mode !== mode) continue;
    const at = efficiencyAtMostThreads(g);
    if (!at) continue;
    rows.push({
      workload: workloadKey(g.suite, g.benchmark, g.params),
      suite: g.suite,
      benchmark: g.benchmark,
      params: g.params,
      mode: g.mode,
      ...at,
    });
  }
  return rows.sort((a, b) => a.efficiency - b.efficiency);
}

/**
 * Geometric mean of values (> 0), for summaries of ratios we only display.
 * @example geometricMeanOf([0.5, 2]) === 1
 */
export function geometricMeanOf(values: readonly number[]): number | null {
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  if (positive.length === 0) return null;
  return Math.exp(positive.reduce((sum, v) => sum + Math.log(v), 0) / positive.length);
}

/**
 * Peak RSS of `other` over `base` per case, and their geometric mean: what a
 * workload's memory costs in the other mode. Cases without RSS in both are skipped.
 */
export function memoryRatio(
  results: readonly ResultRow[],
  base: string,
  other: string,
): { value: number | null; count: number } {
  const byCase = new Map<string, { base?: number; other?: number }>();
  for (const r of results) {
    if (r.peakRssBytes === null || r.peakRssBytes <= 0 || (r.mode !== base && r.mode !== other)) continue;
    const key = `${r.suite}/${r.benchmark}/${JSON.stringify(Object.entries(r.params).sort())}`;
    const entry = byCase.get(key) ?? {};
    entry[r.mode === base ? 'base' : 'other'] = r.peakRssBytes;
    byCase.set(key, entry);
  }
  const ratios: number[] = [];
  for (const e of byCase.values()) if (e.base && e.other) ratios.push(e.other / e.base);
  return { value: geometricMeanOf(ratios), count: ratios.length };
}

export interface XYLine {
  label: string;
  mode: string;
  /** Extra parameters that tell lines of one mode apart (e.g. the lock kind). */
  params: Params;
  points: Array<{ x: number; y: number; low: number; high: number }>;
}

/**
 * Lines of a numeric parameter (`arity`, `threads`) against ns per operation,
 * one per (benchmark, other parameters, mode).
 */
export function linesOver(
  results: readonly ResultRow[],
  param: string,
  filter: (r: ResultRow) => boolean = () => true,
): XYLine[] {
  const lines = new Map<string, XYLine>();
  for (const r of results) {
    if (!(param in r.params) || !usable(r) || !filter(r)) continue;
    const x = Number(r.params[param]);
    if (!Number.isFinite(x)) continue;
    const { [param]: _x, ...rest } = r.params;
    const restText = Object.keys(rest)
      .sort()
      .map((k) => `${k}=${String(rest[k])}`)
      .join(', ');
    const label = `${r.benchmark}${restText ? ` (${restText})` : ''} · ${r.mode}`;
    let line = lines.get(label);
    if (!line) {
      line = { label, mode: r.mode, params: rest, points: [] };
      lines.set(label, line);
    }
    line.points.push({ x, y: r.stats.median, low: r.stats.ciLow, high: r.stats.ciHigh });
  }
  for (const line of lines.values()) line.points.sort((a, b) => a.x - b.x);
  return [...lines.values()];
}

/** The median of the result of a case in a mode whose params match `params` exactly. */
export function medianOf(results: readonly ResultRow[], mode: string, match: (r: ResultRow) => boolean): number | null {
  const r = results.find((x) => x.mode === mode && usable(x) && match(x));
  return r?.stats?.median ?? null;
}
