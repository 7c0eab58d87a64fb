import { describe, expect, it } from 'vitest';
import { medianCiRanks } from './median-ci.ts';

/** P(X <= k), X ~ Binomial(n, 1/2), exactly: Σ C(n, i) / 2^n with big integers. */
function exactBinomialCdf(k: number, n: number): number {
  let term = 1n; // C(n, 0)
  let sum = 0n;
  for (let i = 0; i <= k; i++) {
    sum += term;
    term = (term * BigInt(n - i)) / BigInt(i + 1);
  }
  // Scale before dividing so the ratio keeps ~15 digits.
  return Number((sum * 10n ** 18n) / 2n ** BigInt(n)) / 1e18;
}

/** The textbook rule, independently: the largest k with 2 P(X <= k - 1) <= 0.05. */
function expectedLowerRank(n: number): number {
  let k = 0;
  while (2 * exactBinomialCdf(k, n) <= 0.05) k++;
  return k;
}

describe('order-statistic ranks of the median CI', () => {
  it('match the binomial table for n = 10, 20, 100', () => {
    // Published tables: n=10 -> (2, 9), n=20 -> (6, 15), n=100 -> (40, 61).
    expect(medianCiRanks(10)).toMatchObject({ lower: 2, upper: 9 });
    expect(medianCiRanks(20)).toMatchObject({ lower: 6, upper: 15 });
    expect(medianCiRanks(100)).toMatchObject({ lower: 40, upper: 61 });
    for (const n of [10, 20, 100]) {
      const ranks = medianCiRanks(n)!;
      expect(ranks.lower).toBe(expectedLowerRank(n));
      expect(ranks.coverage).toBeCloseTo(1 - 2 * exactBinomialCdf(ranks.lower - 1, n), 8);
    }
  });

  it('always covers at least 95%, and one rank further in would not', () => {
    for (let n = 6; n <= 300; n++) {
      const ranks = medianCiRanks(n)!;
      expect(ranks.upper).toBe(n + 1 - ranks.lower);
      expect(ranks.coverage).toBeGreaterThanOrEqual(0.95);
      if (ranks.lower < ranks.upper - 1) expect(1 - 2 * exactBinomialCdf(ranks.lower, n)).toBeLessThan(0.95);
    }
  });

  it('gives no 95% interval below 6 samples; [min, max] at 6', () => {
    for (const n of [0, 1, 2, 5]) expect(medianCiRanks(n)).toBeNull();
    // [x(1), x(6)] covers 1 - 2/64.
    expect(medianCiRanks(6)).toEqual({ lower: 1, upper: 6, coverage: 1 - 2 / 64 });
  });

  it('handles large n quickly with the normal-approximation answer', () => {
    const ranks = medianCiRanks(100_000)!;
    const approx = 50_000 - (1.959964 * Math.sqrt(100_000)) / 2;
    expect(Math.abs(ranks.lower - approx)).toBeLessThan(2);
  });

  it('refuses a bad n or confidence', () => {
    expect(() => medianCiRanks(2.5)).toThrow(RangeError);
    expect(() => medianCiRanks(10, 1)).toThrow(RangeError);
  });
});
