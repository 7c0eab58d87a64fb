/**
 * Plain descriptive helpers. Each throws a RangeError on an empty input
 * rather than returning NaN, so a missing sample never turns into a number.
 */

function requireValues(values: readonly number[], what: string): void {
  if (values.length === 0) throw new RangeError(`${what} of no values`);
}

/**
 * Arithmetic mean.
 * @example mean([1, 2, 3, 6]) // 3
 */
export function mean(values: readonly number[]): number {
  requireValues(values, 'mean');
  let sum = 0;
  for (const v of values) sum += v;
  if (Number.isFinite(sum)) return sum / values.length;
  // Values near the largest double overflow the plain sum: add them scaled down, then scale back.
  const scale = largestMagnitude(values);
  let scaled = 0;
  for (const v of values) scaled += v / scale;
  return (scaled / values.length) * scale;
}

/** The largest |value|, at least the smallest positive double (so it can divide). */
function largestMagnitude(values: readonly number[]): number {
  let largest = Number.MIN_VALUE;
  for (const v of values) if (Math.abs(v) > largest) largest = Math.abs(v);
  return largest;
}

/**
 * Sample standard deviation (n - 1 denominator); 0 for a single value.
 * @example sampleSd([2, 4, 4, 4, 5, 5, 7, 9]) // ≈ 2.138
 */
export function sampleSd(values: readonly number[]): number {
  requireValues(values, 'standard deviation');
  if (values.length === 1) return 0;
  const m = mean(values);
  let squares = 0;
  for (const v of values) squares += (v - m) ** 2;
  if (Number.isFinite(squares)) return Math.sqrt(squares / (values.length - 1));
  // Squares of huge deviations overflow: take them relative to the largest deviation.
  const scale = largestMagnitude(values.map((v) => v - m).filter(Number.isFinite));
  let scaled = 0;
  for (const v of values) scaled += ((v - m) / scale) ** 2;
  return Math.sqrt(scaled / (values.length - 1)) * scale;
}

/** A sorted copy (numeric order; the input is left alone). */
export function sortedCopy(values: readonly number[]): number[] {
  // Float64Array sorts numerically (Array#sort would compare strings).
  return Array.from(Float64Array.from(values).sort());
}

/**
 * Quantile of already sorted values, linear interpolation between order
 * statistics (Hyndman & Fan type 7, the default of R and NumPy).
 * @example quantileSorted([1, 2, 3, 4], 0.25) // 1.75
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) throw new RangeError('quantile of no values');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be in [0, 1], got ${q}`);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  const low = sorted[below]!;
  return low + (sorted[above]! - low) * (position - below);
}

/**
 * Quantile (type 7) of unsorted values.
 * @example quantile([4, 1, 3, 2], 0.75) // 3.25
 */
export function quantile(values: readonly number[], q: number): number {
  return quantileSorted(sortedCopy(values), q);
}

/**
 * Median: the middle value, or the mean of the two middle values.
 * @example median([5, 1, 3]) // 3
 * @example median([4, 1, 3, 2]) // 2.5
 */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}
