/**
 * Comparing one case between two modes: the time ratio of the medians, its
 * bootstrap CI, and a Mann-Whitney p-value (as pyperf's compare_to does with
 * its t-test, but rank-based and robust to a noisy machine's outliers).
 */

import { formatNs } from '../format/index.ts';
import type { Result, Stats } from '../schema.ts';
import { bootstrapMedianRatio } from './bootstrap.ts';
import { describe } from './describe.ts';
import { mannWhitneyU } from './mann-whitney.ts';
import { COMPARE_DEFAULTS, type CompareOptions, type Comparison, ZERO_NOISE_FRACTION } from './types.ts';

/**
 * Compare samples (ns per operation, loop cost already subtracted):
 * ratio = median(other) / median(base), > 1 when `other` is slower.
 * `significant` needs both p < alpha and a CI that excludes 1. The ratio is
 * null (with a `reason`) when a side has no samples or its median is <= 0 or
 * within noise of 0 (its CI reaches 0, or it is below 5% of its loop cost).
 * @example
 * const c = compareSamples(gilNs, nogilNs);
 * // { ratio: 1.42, ciLow: 1.38, ciHigh: 1.46, pValue: 1e-9, significant: true, reason: null, ... }
 */
export function compareSamples(
  base: readonly number[],
  other: readonly number[],
  opts: CompareOptions = {},
): Comparison {
  const alpha = opts.alpha ?? COMPARE_DEFAULTS.alpha;
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  const loopCost = opts.loopCostNs ?? { base: 0, other: 0 };
  for (const cost of [loopCost.base, loopCost.other]) {
    if (!(cost >= 0 && Number.isFinite(cost)))
      throw new RangeError(`loop cost must be a finite number >= 0, got ${cost}`);
  }
  const processes = opts.processes ?? { base: 1, other: 1 };
  const baseStats =
    base.length > 0 ? describe(base, { marginFloor: Math.max(1, loopCost.base), processes: processes.base }) : null;
  const otherStats =
    other.length > 0 ? describe(other, { marginFloor: Math.max(1, loopCost.other), processes: processes.other }) : null;
  const declined = (reason: string, pValue: number | null = null): Comparison => ({
    ratio: null,
    ciLow: null,
    ciHigh: null,
    pValue,
    significant: false,
    reason,
    base: baseStats,
    other: otherStats,
  });
  if (!baseStats) return declined('no samples in the base mode');
  if (!otherStats) return declined('no samples in the other mode');

  // A rank test needs no positive medians, so the p-value stays informative when the ratio cannot be had.
  const { pValue } = mannWhitneyU(base, other);
  const nearZero = whyNearZero('base', baseStats, loopCost.base) ?? whyNearZero('other', otherStats, loopCost.other);
  if (nearZero) return declined(nearZero, pValue);

  const ci = bootstrapMedianRatio(base, other, { resamples: opts.resamples, seed: opts.seed, alpha, processes });
  if (ci.nonPositive > 0) {
    return declined('a resampled median reached 0: too close to 0 for a ratio', pValue);
  }
  // Formed in log space: medians of 1e-300 and 1e300 have a ratio of 1e-600, which no double holds.
  // (Plain division where it fits, so ordinary ratios keep their last bit.)
  const logRatio = Math.log(otherStats.median) - Math.log(baseStats.median);
  const representable = (v: number) => v > 0 && Number.isFinite(v);
  const quotient = otherStats.median / baseStats.median;
  const ratio = representable(quotient) ? quotient : Math.exp(logRatio);
  if (!(representable(ratio) && representable(ci.ciLow) && representable(ci.ciHigh))) {
    const log10 = (v: number) => (v / Math.LN10).toPrecision(3);
    return declined(
      `the ratio (10^${log10(logRatio)}, CI 10^${log10(ci.logCiLow)} to 10^${log10(ci.logCiHigh)}) is beyond the range of a double`,
      pValue,
    );
  }
  return {
    ratio,
    ciLow: ci.ciLow,
    ciHigh: ci.ciHigh,
    pValue,
    significant: pValue < alpha && (ci.ciLow > 1 || ci.ciHigh < 1),
    reason: null,
    base: baseStats,
    other: otherStats,
  };
}

function whyNearZero(side: 'base' | 'other', stats: Stats, loopCostNs: number): string | null {
  const after = loopCostNs > 0 ? ' after the loop cost' : '';
  if (stats.median <= 0) return `${side} median is ${formatNs(stats.median)}${after}: no time to compare`;
  if (stats.ciLow <= 0 || stats.median <= ZERO_NOISE_FRACTION * loopCostNs) {
    return `${side} median ${formatNs(stats.median)}${after} is within noise of 0: a ratio would mean nothing`;
  }
  return null;
}

/**
 * Compare two results of one case: subtracts each result's loop cost, then
 * `compareSamples`. Non-ok results, results without samples and checksums
 * that differ (the modes computed different things) give a null ratio with
 * the reason.
 * @example
 * const c = compareResults(gilResult, nogilResult);
 * if (c.ratio === null) console.log(c.reason);
 */
export function compareResults(base: Result, other: Result, opts: Omit<CompareOptions, 'loopCostNs'> = {}): Comparison {
  const skipped = notComparable(base, other);
  if (skipped) {
    return {
      ratio: null,
      ciLow: null,
      ciHigh: null,
      pValue: null,
      significant: false,
      reason: skipped,
      base: null,
      other: null,
    };
  }
  const comparison = compareSamples(
    base.samples.map((s) => s - base.loopCostNs),
    other.samples.map((s) => s - other.loopCostNs),
    {
      ...opts,
      loopCostNs: { base: base.loopCostNs, other: other.loopCostNs },
      processes: { base: base.processes, other: other.processes },
    },
  );
  if (base.checksum !== null && other.checksum !== null && base.checksum !== other.checksum) {
    return {
      ...comparison,
      ratio: null,
      ciLow: null,
      ciHigh: null,
      significant: false,
      reason: `checksums differ (${base.mode}: ${base.checksum}, ${other.mode}: ${other.checksum}): the modes computed different things`,
    };
  }
  return comparison;
}

function notComparable(base: Result, other: Result): string | null {
  for (const result of [base, other]) {
    if (result.status !== 'ok') {
      const gil = result.warnings.find((w) => w.code === 'gil-reenabled');
      const detail = result.error ? `: ${result.error.message}` : gil ? `: ${gil.message}` : '';
      return `${result.mode} result is ${result.status}${detail}`;
    }
    if (result.samples.length === 0) return `${result.mode} result has no samples`;
  }
  return null;
}
