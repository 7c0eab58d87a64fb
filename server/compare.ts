/**
 * Comparisons of stored results, with the harness's statistics
 * (`compareResults`: ratio of medians, bootstrap CI, Mann-Whitney p-value;
 * `geometricMean`; `scalingCurves`): two modes of one run, or one mode in
 * two runs. The shapes are what the dashboard draws.
 *
 * @example
 * const view = compareSides({ label: 'gil', runId, mode, results: gil }, { label: 'nogil', runId, mode: m2, results: nogil });
 */

import type { ModeName, Result } from '../harness/schema.ts';
import { compareResults } from '../harness/stats/compare.ts';
import { geometricMean } from '../harness/stats/geomean.ts';
import type { Comparison, GeometricMean } from '../harness/stats/types.ts';
import type { Params, ResultRow } from './store/core/types.ts';

export interface ComparisonSide {
  label: string;
  runId: string;
  mode: { id: string; mode: ModeName };
  results: ResultRow[];
}

export interface ComparisonRow {
  suite: string;
  benchmark: string;
  params: Params;
  caseId: string;
  base: Comparison['base'];
  other: Comparison['other'];
  ratio: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  pValue: number | null;
  significant: boolean;
  reason: string | null;
}

export interface ComparisonView {
  base: Omit<ComparisonSide, 'results'>;
  other: Omit<ComparisonSide, 'results'>;
  /** `other / base` time ratios: > 1 means the other side is slower. */
  rows: ComparisonRow[];
  geometricMean: GeometricMean | null;
  suites: Array<{ suite: string; geometricMean: GeometricMean | null }>;
}

/** A stored result as the harness's `Result` (needs its samples). */
export function asResult(row: ResultRow): Result {
  return {
    suite: row.suite,
    benchmark: row.benchmark,
    params: row.params,
    mode: row.mode,
    status: row.status,
    unit: row.unit,
    samples: row.samples ?? [],
    loopCostNs: row.loopCostNs,
    loops: row.loops,
    opsPerLoop: row.opsPerLoop,
    processes: row.processes,
    stats: row.stats,
    peakRssBytes: row.peakRssBytes,
    checksum: row.checksum,
    gil: row.gil,
    load: row.load,
    wallMs: row.wallMs,
    warnings: row.warnings,
    error: row.error,
  };
}

/** Pairs the two sides' results by case (suite, benchmark, case key) and compares each pair. */
export function compareSides(base: ComparisonSide, other: ComparisonSide): ComparisonView {
  const key = (r: ResultRow) => `${r.suite}\u0000${r.benchmark}\u0000${r.caseKey}`;
  const others = new Map(other.results.map((r) => [key(r), r]));
  const seen = new Set<string>();
  const rows: ComparisonRow[] = [];
  const push = (b: ResultRow | undefined, o: ResultRow | undefined, comparison: Comparison) => {
    const r = (b ?? o)!;
    const { base: bs, other: os, ...rest } = comparison;
    rows.push({
      suite: r.suite,
      benchmark: r.benchmark,
      params: r.params,
      caseId: r.caseId,
      base: bs,
      other: os,
      ...rest,
    });
  };
  const missing = (side: string): Comparison => ({
    ratio: null,
    ciLow: null,
    ciHigh: null,
    pValue: null,
    significant: false,
    reason: `no result in ${side}`,
    base: null,
    other: null,
  });
  for (const b of base.results) {
    const k = key(b);
    if (seen.has(k)) continue;
    seen.add(k);
    const o = others.get(k);
    push(b, o, o ? compareResults(asResult(b), asResult(o)) : missing(other.label));
  }
  for (const o of other.results) if (!seen.has(key(o))) push(undefined, o, missing(base.label));

  const suites = [...new Set(rows.map((r) => r.suite))].map((suite) => ({
    suite,
    geometricMean: geometricMean(rows.filter((r) => r.suite === suite)),
  }));
  const strip = ({ results: _, ...side }: ComparisonSide) => side;
  return { base: strip(base), other: strip(other), rows, geometricMean: geometricMean(rows), suites };
}
