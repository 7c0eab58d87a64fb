/**
 * Bootstrap of the ratio of two medians: resample each side with
 * replacement, take median(other*) / median(base*), and read the CI off the
 * percentiles of those ratios (on the log scale, which is where ratios are
 * symmetric). Deterministic: a seeded PRNG drives the resampling.
 */
import { createRng } from './prng.ts';
import { quantileSorted } from './summary.ts';
import { COMPARE_DEFAULTS } from './types.ts';

export interface BootstrapOptions {
  /** Resamples (default 2000). */
  resamples?: number;
  /** PRNG seed (default 0x5eed). */
  seed?: number;
  /** 1 - confidence of the CI (default 0.05). */
  alpha?: number;
  /**
   * Worker processes per side, samples round-robin (sample i from process
   * i mod n). With more than one, each resample first draws processes, then
   * samples within them (a two-level bootstrap), so between-process noise
   * widens the CI as it would widen the spread of reruns.
   */
  processes?: { base: number; other: number };
}

export interface BootstrapRatioCi {
  /** The CI; a bound beyond the range of a double is 0 or Infinity here, and exact in `logCiLow`/`logCiHigh`. */
  ciLow: number;
  ciHigh: number;
  /** The CI's bounds on the log scale (always finite when any resample had positive medians). */
  logCiLow: number;
  logCiHigh: number;
  /** SD of the bootstrap log ratios. */
  logSd: number;
  /** Resamples where a median was <= 0: the ratio is undefined there; any is a reason not to trust the CI. */
  nonPositive: number;
}

/**
 * Percentile bootstrap CI of median(other) / median(base).
 * @example
 * const { ciLow, ciHigh } = bootstrapMedianRatio(baseNs, otherNs); // e.g. 1.38, 1.46
 */
export function bootstrapMedianRatio(
  base: readonly number[],
  other: readonly number[],
  opts: BootstrapOptions = {},
): BootstrapRatioCi {
  const resamples = opts.resamples ?? COMPARE_DEFAULTS.resamples;
  const alpha = opts.alpha ?? COMPARE_DEFAULTS.alpha;
  if (!(Number.isInteger(resamples) && resamples >= 100)) {
    throw new RangeError(`resamples must be a whole number >= 100, got ${resamples}`);
  }
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  if (base.length === 0 || other.length === 0) throw new RangeError('bootstrap needs samples on both sides');

  const next = createRng(opts.seed ?? COMPARE_DEFAULTS.seed);
  const baseBuffer = new Float64Array(base.length);
  const otherBuffer = new Float64Array(other.length);
  const baseGroups = groupByProcess(base, opts.processes?.base ?? 1);
  const otherGroups = groupByProcess(other, opts.processes?.other ?? 1);
  const logRatios: number[] = [];
  let nonPositive = 0;
  for (let r = 0; r < resamples; r++) {
    const baseMedian = medianOfResample(baseGroups, baseBuffer, next);
    const otherMedian = medianOfResample(otherGroups, otherBuffer, next);
    if (baseMedian <= 0 || otherMedian <= 0) nonPositive++;
    // A difference of logs, not the log of a quotient: 1e-300 / 1e300 underflows to 0, its log does not.
    else logRatios.push(Math.log(otherMedian) - Math.log(baseMedian));
  }
  if (logRatios.length === 0) {
    return {
      ciLow: Number.NaN,
      ciHigh: Number.NaN,
      logCiLow: Number.NaN,
      logCiHigh: Number.NaN,
      logSd: Number.NaN,
      nonPositive,
    };
  }
  logRatios.sort((a, b) => a - b);
  let sum = 0;
  for (const v of logRatios) sum += v;
  const logMean = sum / logRatios.length;
  let squares = 0;
  for (const v of logRatios) squares += (v - logMean) ** 2;
  const logCiLow = quantileSorted(logRatios, alpha / 2);
  const logCiHigh = quantileSorted(logRatios, 1 - alpha / 2);
  return {
    ciLow: Math.exp(logCiLow),
    ciHigh: Math.exp(logCiHigh),
    logCiLow,
    logCiHigh,
    logSd: Math.sqrt(squares / Math.max(1, logRatios.length - 1)),
    nonPositive,
  };
}

/** Samples grouped by the process that took them; one group when processes < 2 or too few samples. */
function groupByProcess(values: readonly number[], processes: number): number[][] {
  if (!(Number.isInteger(processes) && processes >= 2) || values.length < 2 * processes) return [[...values]];
  const groups: number[][] = Array.from({ length: processes }, () => []);
  values.forEach((v, i) => {
    groups[i % processes]!.push(v);
  });
  return groups;
}

/** Fills `buffer` with a resample (processes drawn first, then samples within each) and returns its median. */
function medianOfResample(groups: readonly number[][], buffer: Float64Array, next: () => number): number {
  const n = buffer.length;
  let filled = 0;
  while (filled < n) {
    const group = groups[Math.floor(next() * groups.length)]!;
    for (let i = 0; i < group.length && filled < n; i++) buffer[filled++] = group[Math.floor(next() * group.length)]!;
  }
  return medianInPlace(buffer);
}

/**
 * Median by selection (O(n) on average, where sorting every resample would be
 * O(n log n)); reorders `values`.
 * @example medianInPlace(Float64Array.of(3, 1, 2, 4)) // 2.5
 */
export function medianInPlace(values: Float64Array): number {
  const n = values.length;
  if (n === 0) throw new RangeError('median of no values');
  const k = (n - 1) >> 1;
  const lower = selectInPlace(values, k);
  if (n % 2 === 1) return lower;
  // After selection everything right of k is >= values[k]: the upper middle is their minimum.
  let upper = values[k + 1]!;
  for (let i = k + 2; i < n; i++) if (values[i]! < upper) upper = values[i]!;
  return (lower + upper) / 2;
}

/** Hoare's selection: puts the k-th smallest (0-based) at index k, smaller left, larger right. */
function selectInPlace(a: Float64Array, k: number): number {
  let left = 0;
  let right = a.length - 1;
  while (left < right) {
    const pivot = a[(left + right) >> 1]!;
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const swap = a[i]!;
        a[i] = a[j]!;
        a[j] = swap;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break; // j < k < i: a[k] equals the pivot and is in place
  }
  return a[k]!;
}
