/**
 * What a lock costs a reader: for each read kind (a locks benchmark), mode,
 * writer setting and lock kind, the time per read against the lock-free read
 * (`lock=none`) of the same case at the same thread count, with the 95% CI of
 * the two medians' ratio (harness/stats). Above 1 = the lock makes reads
 * slower; `private` (each thread reads its own copy) is the ideal to beat.
 *
 * @example
 * lockCosts(run.results)[0] // { kind: 'dict_read', mode: 'cpython-3.13.5/gil', writer: false, lock: 'lock', threads: 2, ratio: 7.0, ciLow: 6.6, ciHigh: 7.4, noneNs: 30 }
 */
import { compareSamples } from './compare.ts';
import { geometricMean } from './geomean.ts';
import type { StoredResultLike } from './types.ts';

export const LOCK_KINDS = ['lock', 'rlock', 'private'] as const;
export const LOCK_LABELS: Record<string, string> = {
  none: 'lock-free',
  lock: 'Lock',
  rlock: 'RLock',
  private: 'thread-private',
};

export interface LockCost {
  kind: string;
  mode: string;
  writer: boolean;
  lock: string;
  threads: number;
  /** t(lock) / t(lock-free). */
  ratio: number;
  ciLow: number;
  ciHigh: number;
  /** The lock-free read's median, ns. */
  noneNs: number;
}

export type LockInput = Pick<
  StoredResultLike,
  'suite' | 'benchmark' | 'params' | 'mode' | 'status' | 'samples' | 'loopCostNs' | 'processes' | 'stats'
>;

/** Every locked (and private) read against its lock-free twin; pairs the statistics decline are left out. */
export function lockCosts(results: readonly LockInput[], opts: { resamples?: number } = {}): LockCost[] {
  const rows = results.filter(
    (r) =>
      r.suite === 'locks' && r.status === 'ok' && typeof r.params.lock === 'string' && (r.samples?.length ?? 0) > 0,
  );
  const key = (r: LockInput) =>
    `${r.benchmark}\u0000${r.mode}\u0000${String(r.params.writer === true)}\u0000${String(r.params.threads ?? 1)}`;
  const none = new Map(rows.filter((r) => r.params.lock === 'none').map((r) => [key(r), r]));
  const out: LockCost[] = [];
  for (const r of rows) {
    if (r.params.lock === 'none') continue;
    const base = none.get(key(r));
    if (!base) continue;
    const c = compareSamples(base.samples!, r.samples!, {
      loopCostNs: { base: base.loopCostNs, other: r.loopCostNs },
      processes: { base: Math.max(1, base.processes), other: Math.max(1, r.processes) },
      resamples: opts.resamples ?? 1000,
    });
    if (c.ratio === null || c.ciLow === null || c.ciHigh === null) continue;
    out.push({
      kind: r.benchmark,
      mode: r.mode,
      writer: r.params.writer === true,
      lock: String(r.params.lock),
      threads: Number(r.params.threads ?? 1),
      ratio: c.ratio,
      ciLow: c.ciLow,
      ciHigh: c.ciHigh,
      noneNs: base.stats?.median ?? c.base!.median,
    });
  }
  return out;
}

export interface LockHeadline {
  mode: string;
  writer: boolean;
  threads: number;
  /** Geometric mean over read kinds per lock kind, with its CI; null when none was measured. */
  byLock: Record<string, { value: number; ciLow: number; ciHigh: number; count: number } | null>;
}

/** Lock/RLock vs lock-free vs thread-private, per mode and writer setting, at the most threads measured. */
export function lockHeadlines(costs: readonly LockCost[]): LockHeadline[] {
  if (costs.length === 0) return [];
  const threads = Math.max(...costs.map((c) => c.threads));
  const at = costs.filter((c) => c.threads === threads);
  const modes = [...new Set(at.map((c) => c.mode))];
  const out: LockHeadline[] = [];
  for (const mode of modes)
    for (const writer of [false, true]) {
      const mine = at.filter((c) => c.mode === mode && c.writer === writer);
      if (mine.length === 0) continue;
      const byLock: LockHeadline['byLock'] = {};
      for (const lock of LOCK_KINDS) {
        const gm = geometricMean(mine.filter((c) => c.lock === lock));
        byLock[lock] = gm ? { value: gm.value, ciLow: gm.ciLow, ciHigh: gm.ciHigh, count: gm.count } : null;
      }
      out.push({ mode, writer, threads, byLock });
    }
  return out;
}
