/**
 * Weak-scaling curves from the results of a threaded benchmark: every thread
 * does the full work, so speedup(N) = N * T(1) / T(N) and efficiency =
 * speedup / N. The CI comes from the same bootstrap of medians as a mode
 * comparison (T(N) against T(1)), scaled by N.
 *
 * @example
 * const curves = scalingCurves(doc); // [{ suite, benchmark, params: { lock: 'none' }, mode, points: [{ threads: 2, speedup: 1.97, ... }] }]
 */
import { caseId, caseKey } from '../case-key.ts';
import { formatRatio } from '../format/index.ts';
import type { CaseParams, Result, RunDocument } from '../schema.ts';
import { compareSamples } from './compare.ts';

export interface ScalingPoint {
  threads: number;
  /** Median time per operation per thread, ns. */
  medianNs: number;
  speedup: number;
  ciLow: number;
  ciHigh: number;
  efficiency: number;
}

export interface ScalingCurve {
  suite: string;
  benchmark: string;
  /** The case's parameters other than `threads`. */
  params: CaseParams;
  mode: string;
  points: ScalingPoint[];
}

/** Curves per (workload, mode) for every ok result with a `threads` parameter and a 1-thread baseline. */
export function scalingCurves(doc: Pick<RunDocument, 'results'>): ScalingCurve[] {
  const groups = new Map<string, Result[]>();
  for (const r of doc.results) {
    if (r.status !== 'ok' || typeof r.params.threads !== 'number' || !r.stats) continue;
    const { threads: _, ...rest } = r.params;
    const key = `${r.suite}\u0000${r.benchmark}\u0000${caseKey(rest)}\u0000${r.mode}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const curves: ScalingCurve[] = [];
  for (const results of groups.values()) {
    const one = results.find((r) => r.params.threads === 1);
    if (!one) continue;
    const { threads: _, ...params } = one.params;
    const points = results
      .map((r): ScalingPoint | null => {
        const n = r.params.threads as number;
        // ratio = median(T1) / median(TN): "other" is the 1-thread time.
        const c = compareSamples(r.samples, one.samples, {
          loopCostNs: { base: r.loopCostNs, other: one.loopCostNs },
          processes: { base: r.processes, other: one.processes },
        });
        if (c.ratio === null || c.ciLow === null || c.ciHigh === null) return null;
        return {
          threads: n,
          medianNs: r.stats!.median,
          speedup: n * c.ratio,
          ciLow: n * c.ciLow,
          ciHigh: n * c.ciHigh,
          efficiency: c.ratio,
        };
      })
      .filter((p): p is ScalingPoint => p !== null)
      .sort((a, b) => a.threads - b.threads);
    curves.push({ suite: one.suite, benchmark: one.benchmark, params, mode: one.mode, points });
  }
  return curves;
}

/** A text table: one row per workload, speedup at each thread count per mode. */
export function formatScalingTable(curves: ScalingCurve[]): string {
  if (curves.length === 0) return '';
  const modes = [...new Set(curves.map((c) => c.mode))];
  const threadCounts = [...new Set(curves.flatMap((c) => c.points.map((p) => p.threads)))]
    .filter((n) => n > 1)
    .sort((a, b) => a - b);
  const header = ['scaling: speedup N*T(1)/T(N)', ...modes.flatMap((m) => threadCounts.map((n) => `${m} N=${n}`))];
  const rows = new Map<string, Map<string, ScalingCurve>>();
  for (const c of curves) {
    const label = caseId(c.suite, c.benchmark, c.params);
    if (!rows.has(label)) rows.set(label, new Map());
    rows.get(label)!.set(c.mode, c);
  }
  const table = [header];
  for (const [label, byMode] of rows) {
    const cells = modes.flatMap((m) =>
      threadCounts.map((n) => {
        const p = byMode.get(m)?.points.find((q) => q.threads === n);
        return p ? formatRatio(p.speedup) : '-';
      }),
    );
    table.push([label, ...cells]);
  }
  const widths = header.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  return table
    .map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '))
    .join('\n');
}
