/**
 * Distribution-free confidence interval of a median from order statistics.
 *
 * The count X of samples below the true median is Binomial(n, 1/2) whatever
 * the distribution, so [x(k), x(n+1-k)] (1-based order statistics) covers the
 * median with probability 1 - 2 P(X <= k - 1). We take the largest k whose
 * coverage is still at least the confidence asked for.
 */
import { binomialCdf } from './distributions.ts';

export interface MedianCiRanks {
  /** 1-based rank of the lower bound in the sorted sample. */
  lower: number;
  /** 1-based rank of the upper bound (= n + 1 - lower). */
  upper: number;
  /** Exact coverage of [x(lower), x(upper)], at least the confidence asked for. */
  coverage: number;
}

/**
 * Ranks of the order statistics bounding the median's CI, or null when even
 * [min, max] covers less than `confidence` (n < 6 at 95%).
 * @example medianCiRanks(10) // { lower: 2, upper: 9, coverage: 0.978515625 }
 */
export function medianCiRanks(n: number, confidence = 0.95): MedianCiRanks | null {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`sample size must be a whole number >= 0, got ${n}`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  const tail = (1 - confidence) / 2;
  if (n === 0 || binomialCdf(0, n, 0.5) > tail) return null;
  // Largest j = k - 1 with P(X <= j) <= tail; j stays below n/2 so that lower <= upper.
  let low = 0;
  let high = Math.floor((n - 1) / 2);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (binomialCdf(mid, n, 0.5) <= tail) low = mid;
    else high = mid - 1;
  }
  return { lower: low + 1, upper: n - low, coverage: 1 - 2 * binomialCdf(low, n, 0.5) };
}
