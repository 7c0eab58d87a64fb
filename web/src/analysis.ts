/**
 * Shapes a run's results for the overview, scaling, calls and locks pages.
 * Statistics with a CI (ratios, scaling speedups) come from the server; here
 * is only arithmetic for display: which workload scales worst, geometric
 * means of values shown without a CI, lines of a parameter against time.
 *
 * - Threaded benchmarks are weak-scaling (every thread does the full work),
 *   so the server's curves give speedup(n) = n · t(1) / t(n) and efficiency(n)
 *   = t(1) / t(n). Ideal: speedup n, efficiency 1.
 * - Calls: ns per call against `arity`, one line per mode.
 * - Locks: read cost against threads, one line per (mode, lock kind).
 *
 * @example
 * const worst = worstScaling(await api.scaling(runId), nogil.id)[0];
 */
import { formatParams, workloadKey } from '../../harness/case-key.ts';
import { geometricMeanOf } from '../../harness/stats/headlines.ts';
import type { Params, ResultRow, ScalingCurve } from './api.ts';

/** One workload's scaling in one mode, as the server sends it. */
export type ScalingGroup = ScalingCurve;

/** `suite/benchmark` plus the non-thread parameters: the workload a scaling line belongs to. */
export { workloadKey };

function usable(r: ResultRow): r is ResultRow & { stats: NonNullable<ResultRow['stats']> } {
  return r.status === 'ok' && r.stats !== null && r.stats.median > 0;
}

/** Whether any curve has a point beyond 1 thread (a run that can say how it scales). */
export function hasScaling(curves: readonly ScalingGroup[]): boolean {
  return curves.some((c) => c.points.some((p) => p.threads > 1));
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
 * The geometric mean of one mode's efficiency at `threads` over the workloads
 * measured at that count (a workload whose point is missing is left out).
 * @example efficiencyAt(curves, 'cpython-3.13.5t/nogil', 4) // { value: 0.93, count: 6 }
 */
export function efficiencyAt(
  curves: readonly ScalingGroup[],
  mode: string,
  threads: number,
): { value: number | null; count: number } {
  const values = curves
    .filter((c) => c.mode === mode)
    .flatMap((c) => c.points.filter((p) => p.threads === threads).map((p) => p.efficiency));
  const value = geometricMeanOf(values);
  return { value, count: value === null ? 0 : values.filter((v) => v > 0 && Number.isFinite(v)).length };
}

/** Geometric means of plain values and of memory ratios: harness/stats (the server's trends use the same). */
export { geometricMeanOf, memoryRatio } from '../../harness/stats/headlines.ts';

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
    const restText = formatParams(rest);
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
