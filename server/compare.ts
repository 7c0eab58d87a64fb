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
import { comparedForHeadlines, headlineModes, type RunHeadlines, runHeadlines } from '../harness/stats/headlines.ts';
import { COMPARE_DEFAULTS, type Comparison } from '../harness/stats/types.ts';
import type { ComparisonRow, ComparisonView } from './contract/index.ts';
import type { ResultRow, RunDetail } from './store/core/types.ts';

export interface ComparisonSide {
  label: string;
  runId: string;
  mode: { id: string; mode: ModeName };
  results: ResultRow[];
}

// What the routes answer: the contract's shapes.
export type { ComparisonRow, ComparisonView };

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

/**
 * Samples x resamples one pair's bootstrap may touch: results of up to 10,000
 * samples a side get the full 2,000 resamples; larger ones fewer (never under
 * 200), so a pair of 100,000-sample results costs what a pair of 10,000 does.
 */
export const BOOTSTRAP_WORK = 40_000_000;

/** Resamples for a pair of `n` samples in all (see `BOOTSTRAP_WORK`). */
export function resamplesFor(n: number): number {
  return Math.max(200, Math.min(COMPARE_DEFAULTS.resamples, Math.floor(BOOTSTRAP_WORK / Math.max(1, n))));
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
    const resamples = o ? resamplesFor((b.samples?.length ?? 0) + (o.samples?.length ?? 0)) : 0;
    push(b, o, o ? compareResults(asResult(b), asResult(o), { resamples }) : missing(other.label));
  }
  for (const o of other.results) if (!seen.has(key(o))) push(undefined, o, missing(base.label));

  const suites = [...new Set(rows.map((r) => r.suite))].map((suite) => ({
    suite,
    geometricMean: geometricMean(rows.filter((r) => r.suite === suite)),
  }));
  const strip = ({ results: _, ...side }: ComparisonSide) => side;
  return {
    base: strip(base),
    other: strip(other),
    rows,
    geometricMean: geometricMean(rows),
    suites,
    runtimeChange: runtimeChangeBetween(base.mode.id, other.mode.id),
  };
}

/**
 * The two mode ids when their runtimes differ in release or build kind (the free-threaded `t` aside: gil
 * against nogil of one release is the comparison gilbench exists for), else null.
 * @example runtimeChangeBetween('cpython-3.13.5/gil', 'cpython-3.13.15/gil') // { from: 'cpython-3.13.5/gil', to: 'cpython-3.13.15/gil' }
 */
export function runtimeChangeBetween(base: string, other: string): { from: string; to: string } | null {
  const release = (modeId: string) => (modeId.split('/')[0] ?? modeId).replace(/t(?=-release$|$)/, '');
  return release(base) === release(other) ? null : { from: base, to: other };
}

/**
 * A run's headlines (harness/stats/headlines.ts) from its stored results with
 * samples: nogil against gil compared as `/runs/:id/compare` does (only the
 * cases the headlines read), then every headline from those rows and results.
 * @example headlinesOf(await repo.getRun(id, { samples: true })).overhead?.value // 1.21
 */
export function headlinesOf(run: Pick<RunDetail, 'id' | 'modes' | 'results'>): RunHeadlines {
  const { gil, nogil } = headlineModes(run.modes);
  const side = (mode: { id: string; mode: ModeName }): ComparisonSide => ({
    label: mode.id,
    runId: run.id,
    mode: { id: mode.id, mode: mode.mode },
    results: comparedForHeadlines(run.results.filter((r) => r.mode === mode.id)),
  });
  const comparison = gil && nogil ? compareSides(side(gil), side(nogil)).rows : null;
  return runHeadlines({ modes: run.modes, results: run.results, comparison });
}
