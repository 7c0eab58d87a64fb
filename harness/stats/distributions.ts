/**
 * The few probability distributions the statistics need, from jstat (which
 * ships no type declarations; this module types the part we use, so nothing
 * else imports jstat directly).
 */
// @ts-expect-error jstat ships no type declarations; JStat below types the part we use.
import jstat from 'jstat';

interface JStat {
  binomial: { cdf(k: number, n: number, p: number): number };
  normal: { cdf(x: number, mean: number, sd: number): number; inv(p: number, mean: number, sd: number): number };
  studentt: { cdf(x: number, df: number): number; inv(p: number, df: number): number };
}

// A default import, not node:module's createRequire, so the module type-checks
// for the browser too (the dashboard shares the harness's basics).
const { jStat } = jstat as { jStat: JStat };

/**
 * P(X <= k) for X ~ Binomial(n, p).
 * @example binomialCdf(1, 10, 0.5) // 0.0107421875 (11 / 1024)
 */
export function binomialCdf(k: number, n: number, p: number): number {
  return jStat.binomial.cdf(k, n, p);
}

/**
 * Standard normal CDF.
 * @example normalCdf(1.959964) // ≈ 0.975
 */
export function normalCdf(x: number): number {
  return jStat.normal.cdf(x, 0, 1);
}

/**
 * Standard normal quantile (inverse CDF).
 * @example normalQuantile(0.975) // ≈ 1.959964
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`probability must be in (0, 1), got ${p}`);
  return jStat.normal.inv(p, 0, 1);
}

/**
 * Student's t CDF with `df` degrees of freedom.
 * @example studentTCdf(2.262157, 9) // ≈ 0.975
 */
export function studentTCdf(x: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`degrees of freedom must be > 0, got ${df}`);
  return jStat.studentt.cdf(x, df);
}

/**
 * Student's t quantile with `df` degrees of freedom.
 * @example studentTQuantile(0.975, 9) // ≈ 2.262157
 */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`probability must be in (0, 1), got ${p}`);
  if (!(df > 0)) throw new RangeError(`degrees of freedom must be > 0, got ${df}`);
  return jStat.studentt.inv(p, df);
}
