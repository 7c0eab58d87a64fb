/**
 * A run's headline numbers, computed one way for the dashboard's overview and
 * the server's trends (`GET /machines/:id/trends`), so the two cannot differ:
 *
 * - overhead: nogil/gil time on the single-thread suite (every suite when the
 *   run has none), geometric mean of the comparison's rows with its 95% CI;
 * - memory: nogil/gil peak RSS, geometric mean over the cases that have both;
 * - scaling: nogil's work per second against gil on one thread at the most
 *   threads nogil measured (`throughput.ts`), geometric mean over workloads
 *   of the scaling suite (other threaded benchmarks when it has none);
 * - calls: nogil/gil time per call, geometric mean over call kinds and arities on one thread;
 * - locks: a `Lock` around a read against the lock-free read, without a
 *   writer, at the most threads, per mode (`lock-costs.ts`).
 *
 * The comparison rows are nogil against gil as `compareResults` makes them
 * (the server's `/runs/:id/compare` answer); results need their samples for
 * scaling and locks.
 *
 * @example
 * const h = runHeadlines({ modes: run.modes, results: run.results, comparison: view.rows });
 * h.overhead // { value: 1.21, ciLow: 1.18, ciHigh: 1.24, count: 5, scope: 'single-thread' }
 */
import { caseId } from '../case-key.ts';
import type { CaseParams, ModeName } from '../schema.ts';
import { geometricMean, type RatioWithCi } from './geomean.ts';
import { type LockInput, lockCosts, lockHeadlines } from './lock-costs.ts';
import { type ThroughputInput, throughputAgainstGil } from './throughput.ts';
import type { StoredResultLike } from './types.ts';

/** A geometric mean of `count` ratios with its 95% CI. */
export interface Headline {
  value: number;
  ciLow: number;
  ciHigh: number;
  count: number;
}

export interface RunHeadlines {
  overhead: (Headline & { scope: 'single-thread' | 'all' }) | null;
  /** No CI: a result has one peak RSS. */
  memory: { value: number; count: number } | null;
  scaling: (Headline & { threads: number }) | null;
  calls: Headline | null;
  locks: { threads: number; gil: Headline | null; nogil: Headline | null } | null;
}

/** One row of a nogil-against-gil comparison: its case and ratio with CI. */
export type HeadlineRow = { suite: string; benchmark: string; params: CaseParams } & RatioWithCi;

export interface HeadlineInput {
  modes: ReadonlyArray<{ id: string; mode: ModeName }>;
  results: readonly StoredResultLike[];
  /** nogil against gil (base gil); null when the run lacks one of them. */
  comparison: readonly HeadlineRow[] | null;
}

/**
 * The run's gil and nogil modes: the first of each name.
 * @example headlineModes([{ id: 'cpython-3.13.5/gil', mode: 'gil' }]).nogil === undefined
 */
export function headlineModes<M extends { id: string; mode: ModeName }>(modes: readonly M[]): { gil?: M; nogil?: M } {
  return { gil: modes.find((m) => m.mode === 'gil'), nogil: modes.find((m) => m.mode === 'nogil') };
}

const asHeadline = (gm: Headline | null): Headline | null =>
  gm ? { value: gm.value, ciLow: gm.ciLow, ciHigh: gm.ciHigh, count: gm.count } : null;

/** On one thread: no `threads` parameter, or 1. */
const oneThread = (params: CaseParams) => !('threads' in params) || Number(params.threads) === 1;

/** A call benchmark's case: it has an `arity`. */
export const isCallCase = (params: CaseParams) => 'arity' in params && oneThread(params);

/**
 * The single-thread suite's geometric mean, or every row's when the run has no single-thread suite.
 * @example overheadHeadline(view.rows)?.scope // 'single-thread'
 */
export function overheadHeadline(rows: readonly HeadlineRow[]): RunHeadlines['overhead'] {
  const single = rows.filter((r) => r.suite === 'single-thread');
  const scope = single.length > 0 ? 'single-thread' : 'all';
  const gm = asHeadline(geometricMean(single.length > 0 ? single : rows));
  return gm ? { ...gm, scope } : null;
}

/**
 * nogil/gil time per call over call kinds and arities on one thread.
 * @example callsHeadline(view.rows)?.count // 8 (2 call kinds × 4 arities)
 */
export function callsHeadline(rows: readonly HeadlineRow[]): Headline | null {
  return asHeadline(geometricMean(rows.filter((r) => isCallCase(r.params))));
}

/**
 * Geometric mean of values (> 0), for summaries of ratios shown without a CI.
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
 * @example memoryRatio(run.results, gil.id, nogil.id) // { value: 1.08, count: 20 }
 */
export function memoryRatio(
  results: ReadonlyArray<Pick<StoredResultLike, 'suite' | 'benchmark' | 'params' | 'mode' | 'peakRssBytes'>>,
  base: string,
  other: string,
): { value: number | null; count: number } {
  const byCase = new Map<string, { base?: number; other?: number }>();
  for (const r of results) {
    if (r.peakRssBytes === null || r.peakRssBytes <= 0 || (r.mode !== base && r.mode !== other)) continue;
    const key = caseId(r.suite, r.benchmark, r.params);
    const entry = byCase.get(key) ?? {};
    entry[r.mode === base ? 'base' : 'other'] = r.peakRssBytes;
    byCase.set(key, entry);
  }
  const ratios: number[] = [];
  for (const e of byCase.values()) if (e.base && e.other) ratios.push(e.other / e.base);
  return { value: geometricMeanOf(ratios), count: ratios.length };
}

/**
 * nogil's throughput against gil on one thread at the most threads nogil
 * reached, over the scaling suite's workloads (any threaded ones without it).
 * @example scalingHeadline(run.results, nogil.id) // { threads: 4, value: 2.9, ciLow: 2.7, ciHigh: 3.1, count: 6 }
 */
export function scalingHeadline(results: readonly ThroughputInput[], nogil: string): RunHeadlines['scaling'] {
  const threadsOf = (r: ThroughputInput) => Number(r.params.threads);
  const ofSuite = results.filter((r) => r.suite === 'scaling');
  const scope = ofSuite.some((r) => threadsOf(r) > 1) ? ofSuite : results;
  const usable = scope.filter((r) => r.status === 'ok' && (r.samples?.length ?? 0) > 0);
  const most = Math.max(
    0,
    ...usable
      .filter((r) => r.mode === nogil)
      .map(threadsOf)
      .filter(Number.isFinite),
  );
  if (most < 2) return null;
  // Only the points the headline reads are bootstrapped: nogil at the most threads, and gil's 1-thread references.
  const wanted = usable.filter(
    (r) => (r.mode === nogil && threadsOf(r) === most) || (r.modeKind === 'gil' && threadsOf(r) === 1),
  );
  const points = throughputAgainstGil(wanted)
    .filter((c) => c.mode === nogil)
    .flatMap((c) => c.points.filter((p) => p.threads === most));
  const gm = asHeadline(geometricMean(points));
  return gm ? { ...gm, threads: most } : null;
}

/**
 * A `Lock` around a read against the lock-free read, without a writer, at the most threads, for gil and nogil.
 * @example locksHeadline(run.results, gil.id, nogil.id) // { threads: 4, gil: { value: 7.0, … }, nogil: { value: 4.7, … } }
 */
export function locksHeadline(
  results: readonly LockInput[],
  gil: string | undefined,
  nogil: string | undefined,
): RunHeadlines['locks'] {
  const locked = results.filter(
    (r) =>
      r.suite === 'locks' &&
      (r.mode === gil || r.mode === nogil) &&
      r.params.writer !== true &&
      typeof r.params.lock === 'string' &&
      r.status === 'ok',
  );
  if (locked.length === 0) return null;
  // Only the pairs the headline reads are bootstrapped: a Lock and the lock-free read at the most threads.
  const threads = Math.max(...locked.map((r) => Number(r.params.threads ?? 1)));
  const wanted = locked.filter(
    (r) => Number(r.params.threads ?? 1) === threads && (r.params.lock === 'lock' || r.params.lock === 'none'),
  );
  const rows = lockHeadlines(lockCosts(wanted));
  if (rows.length === 0) return null;
  const of = (mode: string | undefined) => rows.find((h) => h.mode === mode)?.byLock.lock ?? null;
  return { threads, gil: asHeadline(of(gil)), nogil: asHeadline(of(nogil)) };
}

/**
 * The results a nogil-against-gil comparison needs for the headlines: the
 * single-thread suite and the calls (every result when there is no
 * single-thread suite, whose overhead then falls back to all of them).
 */
export function comparedForHeadlines<R extends Pick<StoredResultLike, 'suite' | 'params'>>(results: readonly R[]): R[] {
  if (!results.some((r) => r.suite === 'single-thread')) return [...results];
  return results.filter((r) => r.suite === 'single-thread' || isCallCase(r.params));
}

/** Every headline of one run (see the module comment); a headline its run cannot give is null. */
export function runHeadlines(input: HeadlineInput): RunHeadlines {
  const { gil, nogil } = headlineModes(input.modes);
  const both = gil && nogil;
  const memory = both ? memoryRatio(input.results, gil.id, nogil.id) : null;
  return {
    overhead: input.comparison ? overheadHeadline(input.comparison) : null,
    memory: memory?.value ? { value: memory.value, count: memory.count } : null,
    scaling: both ? scalingHeadline(input.results, nogil.id) : null,
    calls: input.comparison ? callsHeadline(input.comparison) : null,
    locks: gil || nogil ? locksHeadline(input.results, gil?.id, nogil?.id) : null,
  };
}
