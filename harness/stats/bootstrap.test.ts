import { describe, expect, it } from 'vitest';
import { lognormalSamples } from '../test-support/index.ts';
import { bootstrapMedianRatio, medianInPlace } from './bootstrap.ts';
import { createRng } from './prng.ts';
import { median } from './summary.ts';

describe('medianInPlace()', () => {
  it('agrees with the sorting median on random arrays of odd and even length, with ties', () => {
    const next = createRng(11);
    for (let trial = 0; trial < 300; trial++) {
      const n = 1 + Math.floor(next() * 60);
      const values = Array.from({ length: n }, () => Math.floor(next() * 20));
      expect(medianInPlace(Float64Array.from(values))).toBe(median(values));
    }
  });
});

describe('bootstrapMedianRatio()', () => {
  const sample = (seed: number, medianNs: number) =>
    lognormalSamples({ seed, n: 40, medianNs, sigma: 0.05, outlierRate: 0 });

  it('covers the true ratio of synthetic lognormal data and excludes 1', () => {
    // Population medians 100 and 130: the true ratio is 1.3.
    const ci = bootstrapMedianRatio(sample(1, 100), sample(2, 130));
    expect(ci.ciLow).toBeLessThan(1.3);
    expect(ci.ciHigh).toBeGreaterThan(1.3);
    expect(ci.ciLow).toBeGreaterThan(1);
    expect(ci.nonPositive).toBe(0);
  });

  it('covers the true ratio in close to 95% of seeded repetitions', () => {
    let covered = 0;
    const repetitions = 40;
    for (let i = 0; i < repetitions; i++) {
      const ci = bootstrapMedianRatio(sample(1000 + i, 100), sample(2000 + i, 130), { seed: i });
      if (ci.ciLow <= 1.3 && 1.3 <= ci.ciHigh) covered++;
    }
    // 95% of 40 is 38; a binomial(40, 0.95) falls below 34 with probability < 1%.
    expect(covered).toBeGreaterThanOrEqual(34);
  });

  it('is deterministic for a seed and narrows with more data', () => {
    const base = sample(5, 100);
    const other = sample(6, 110);
    expect(bootstrapMedianRatio(base, other)).toEqual(bootstrapMedianRatio(base, other));
    const wide = bootstrapMedianRatio(base.slice(0, 10), other.slice(0, 10));
    const narrow = bootstrapMedianRatio(
      lognormalSamples({ seed: 5, n: 400, medianNs: 100, sigma: 0.05, outlierRate: 0 }),
      lognormalSamples({ seed: 6, n: 400, medianNs: 110, sigma: 0.05, outlierRate: 0 }),
    );
    expect(narrow.ciHigh - narrow.ciLow).toBeLessThan(wide.ciHigh - wide.ciLow);
  });

  it('counts resamples whose median is not positive', () => {
    const ci = bootstrapMedianRatio([-1, 0.5, -0.2, 0.1, 0.3, -0.4], [1, 2, 3, 4, 5, 6]);
    expect(ci.nonPositive).toBeGreaterThan(0);
  });

  it('refuses too few resamples and empty sides', () => {
    expect(() => bootstrapMedianRatio([1], [1], { resamples: 10 })).toThrow(/resamples/);
    expect(() => bootstrapMedianRatio([], [1])).toThrow(RangeError);
  });
});
