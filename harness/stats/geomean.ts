/**
 * Geometric mean of ratios across benchmarks, with a 95% CI.
 *
 * Method: work on the log scale, where a ratio and its inverse are
 * symmetric. Each benchmark i contributes Lᵢ = ln(ratioᵢ) and a standard
 * error read off its (bootstrap, 95%) CI as if that CI were normal on the log
 * scale: seᵢ = (ln ciHighᵢ − ln ciLowᵢ) / (2 · z₀.₉₇₅). The benchmarks are
 * measured independently, so the mean L̄ = ΣLᵢ / k has
 * se(L̄) = √(Σ seᵢ²) / k, and the CI is exp(L̄ ± z₀.₉₇₅ · se(L̄)).
 *
 * That CI answers "how precisely did we measure the mean over THESE
 * benchmarks": measurement noise only. How differently the benchmarks moved
 * is a separate fact, reported as the geometric SD exp(sd(Lᵢ)) and the
 * smallest and largest ratio, and not folded into the CI.
 */
import { normalQuantile } from './distributions.ts';
import type { Comparison, GeometricMean } from './types.ts';

/** What `geometricMean` reads from each comparison. */
export type RatioWithCi = Pick<Comparison, 'ratio' | 'ciLow' | 'ciHigh'>;

/**
 * Geometric mean of the comparisons' ratios with a 95% CI (see the module
 * comment for the method); comparisons with a null ratio are skipped and
 * counted. Null when no ratio is left.
 * @example
 * geometricMean([{ ratio: 2, ciLow: 1.9, ciHigh: 2.1 }, { ratio: 0.5, ciLow: 0.48, ciHigh: 0.52 }]).value // 1
 */
export function geometricMean(
  comparisons: readonly RatioWithCi[],
  opts: { alpha?: number } = {},
): GeometricMean | null {
  const alpha = opts.alpha ?? 0.05;
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  const z = normalQuantile(1 - alpha / 2);
  const logs: number[] = [];
  let varianceSum = 0;
  let skipped = 0;
  for (const c of comparisons) {
    if (c.ratio === null || c.ciLow === null || c.ciHigh === null) {
      skipped++;
      continue;
    }
    if (!(c.ratio > 0 && c.ciLow > 0 && c.ciHigh >= c.ciLow)) {
      throw new RangeError(
        `a ratio and its CI must be > 0 with ciLow <= ciHigh, got ${c.ratio} [${c.ciLow}, ${c.ciHigh}]`,
      );
    }
    logs.push(Math.log(c.ratio));
    const se = (Math.log(c.ciHigh) - Math.log(c.ciLow)) / (2 * z);
    varianceSum += se * se;
  }
  const count = logs.length;
  if (count === 0) return null;
  const logMean = logs.reduce((sum, v) => sum + v, 0) / count;
  const halfWidth = (z * Math.sqrt(varianceSum)) / count;
  const logSd = count > 1 ? Math.sqrt(logs.reduce((sum, v) => sum + (v - logMean) ** 2, 0) / (count - 1)) : 0;
  return {
    value: Math.exp(logMean),
    ciLow: Math.exp(logMean - halfWidth),
    ciHigh: Math.exp(logMean + halfWidth),
    count,
    skipped,
    geometricSd: Math.exp(logSd),
    min: Math.exp(Math.min(...logs)),
    max: Math.exp(Math.max(...logs)),
  };
}
