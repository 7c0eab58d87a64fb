/**
 * Throughput against the GIL build on one thread: how much more work per
 * second a mode gets done at n threads than the default build does on 1.
 * Every thread does the same work, so with t the time per operation per
 * thread, throughput(mode, n) / throughput(gil, 1) = n · t_gil(1) / t_mode(n).
 * The self-relative speedup (n · t_mode(1) / t_mode(n)) hides a mode that is
 * slower on every thread; this figure does not. The 95% CI is the bootstrap
 * of the two medians' ratio from harness/stats, scaled by n.
 *
 * @example
 * const curves = throughputAgainstGil(run.results); // needs the results' raw samples
 * curves[0] // { workload: 'scaling/shared-dict-read', mode: 'cpython-3.13.5t/nogil', points: [{ threads: 2, ratio: 1.6, ciLow: 1.5, ciHigh: 1.7 }, …] }
 */
import { workloadKey } from '../case-key.ts';
import { compareSamples } from './compare.ts';
import type { StoredResultLike } from './types.ts';

export interface ThroughputPoint {
  threads: number;
  /** n · t_gil(1) / t_mode(n): above 1 = more work per second than gil on one thread. */
  ratio: number;
  ciLow: number;
  ciHigh: number;
}

export interface ThroughputCurve {
  workload: string;
  /** The mode's id, e.g. `cpython-3.13.5t/nogil`. */
  mode: string;
  /** The gil mode's id the curve is relative to. */
  reference: string;
  points: ThroughputPoint[];
}

export type ThroughputInput = Pick<
  StoredResultLike,
  'suite' | 'benchmark' | 'params' | 'mode' | 'modeKind' | 'status' | 'samples' | 'loopCostNs' | 'processes'
>;

export interface ThroughputOptions {
  /** Bootstrap resamples per point (default 1000: enough for a 95% CI's second digit, quick in a page). */
  resamples?: number;
}

function usable(r: ThroughputInput): boolean {
  return r.status === 'ok' && typeof r.params.threads === 'number' && (r.samples?.length ?? 0) > 0;
}

/**
 * One curve per (workload, mode) that has a gil 1-thread result of the same
 * workload to stand on; points whose ratio the statistics decline (no
 * samples, a median within noise of 0) are left out.
 */
export function throughputAgainstGil(
  results: readonly ThroughputInput[],
  opts: ThroughputOptions = {},
): ThroughputCurve[] {
  const resamples = opts.resamples ?? 1000;
  if (!(Number.isInteger(resamples) && resamples >= 100))
    throw new RangeError(`resamples must be an integer >= 100, got ${resamples}`);
  const byWorkload = new Map<string, ThroughputInput[]>();
  for (const r of results) {
    if (!usable(r)) continue;
    const key = workloadKey(r.suite, r.benchmark, r.params);
    byWorkload.set(key, [...(byWorkload.get(key) ?? []), r]);
  }
  const curves: ThroughputCurve[] = [];
  for (const [workload, rows] of byWorkload) {
    const reference = rows.find((r) => r.modeKind === 'gil' && r.params.threads === 1);
    if (!reference) continue;
    const modes = [...new Set(rows.map((r) => r.mode))];
    for (const mode of modes) {
      const points = rows
        .filter((r) => r.mode === mode)
        .map((r): ThroughputPoint | null => {
          const n = r.params.threads as number;
          if (r === reference) return { threads: 1, ratio: 1, ciLow: 1, ciHigh: 1 };
          // ratio = median(other) / median(base): base is this mode at n threads, other is gil at 1.
          const c = compareSamples(r.samples!, reference.samples!, {
            loopCostNs: { base: r.loopCostNs, other: reference.loopCostNs },
            processes: { base: Math.max(1, r.processes), other: Math.max(1, reference.processes) },
            resamples,
          });
          if (c.ratio === null || c.ciLow === null || c.ciHigh === null) return null;
          return { threads: n, ratio: n * c.ratio, ciLow: n * c.ciLow, ciHigh: n * c.ciHigh };
        })
        .filter((p): p is ThroughputPoint => p !== null)
        .sort((a, b) => a.threads - b.threads);
      if (points.length > 0) curves.push({ workload, mode, reference: reference.mode, points });
    }
  }
  return curves;
}
