/**
 * Statistics at the edges of the float range and of the sample count: no
 * throw, no Infinity or NaN in what is returned, and a ratio no double can
 * hold is declined with its reason instead of becoming 0 or Infinity.
 */
import { describe, expect, it } from 'vitest';
import { bootstrapMedianRatio } from './bootstrap.ts';
import { compareSamples } from './compare.ts';
import { describe as describeValues } from './describe.ts';
import { geometricMean } from './geomean.ts';
import { mean, sampleSd } from './summary.ts';

const spread = (v: number, n: number) => Array.from({ length: n }, (_, i) => v * (1 + i / 100));

describe('statistics at extreme magnitudes', () => {
  it('mean and SD of values near the largest double stay finite', () => {
    const values = [Number.MAX_VALUE, Number.MAX_VALUE * 0.5];
    expect(mean(values)).toBeCloseTo(Number.MAX_VALUE * 0.75, -300);
    expect(Number.isFinite(sampleSd(values))).toBe(true);
    expect(sampleSd(values) / Number.MAX_VALUE).toBeCloseTo(Math.SQRT1_2 / 2, 10);
    expect(sampleSd([1e-300, 1e300, 1]) / 1e300).toBeCloseTo(Math.sqrt(1 / 3), 10);
    expect(mean([Number.MIN_VALUE, Number.MIN_VALUE])).toBe(Number.MIN_VALUE);
  });

  it('describe() of huge, tiny, single and identical values gives finite stats', () => {
    for (const values of [spread(Number.MAX_VALUE / 2, 10), spread(1e-310, 10), [42], Array(50).fill(7)]) {
      const stats = describeValues(values);
      for (const v of Object.values(stats)) expect(Number.isFinite(v)).toBe(true);
    }
    expect(describeValues(Array(50).fill(7))).toMatchObject({ sd: 0, ciLow: 7, ciHigh: 7, margin: 0 });
  });

  it('the bootstrap keeps a log ratio that underflows in plain division', () => {
    const ci = bootstrapMedianRatio(spread(1e300, 12), spread(1e-300, 12));
    expect(ci.ciLow).toBe(0); // exp(-1381): below the smallest double
    expect(ci.logCiLow / Math.LN10).toBeCloseTo(-600, 1);
    expect(ci.logCiHigh / Math.LN10).toBeCloseTo(-600, 1);
  });

  it('declines a ratio beyond the range of a double, with the reason and its size', () => {
    for (const [base, other] of [
      [spread(1e300, 12), spread(1e-300, 12)],
      [spread(1e-300, 12), spread(1e300, 12)],
    ] as const) {
      const c = compareSamples(base, other);
      expect(c.ratio).toBeNull();
      expect(c.reason).toMatch(/beyond the range of a double/);
      expect(c.reason).toMatch(/10\^-?600/);
      expect(c.pValue).toBeLessThan(0.05);
    }
  });

  it('forms ratios between huge and between tiny values when the ratio itself fits', () => {
    const c = compareSamples(spread(1e300, 12), spread(2e300, 12));
    expect(c.ratio).toBeCloseTo(2, 10);
    const d = compareSamples(spread(1e-300, 12), spread(3e-300, 12));
    expect(d.ratio).toBeCloseTo(3, 10);
    expect(geometricMean([c, d])?.value).toBeCloseTo(Math.sqrt(6), 6);
  });

  it('one sample, identical samples and zero spread compare without throwing', () => {
    const one = compareSamples([100], [150]);
    expect(one).toMatchObject({ ratio: 1.5, significant: false });
    expect([one.ciLow, one.ciHigh].map((v) => v!.toFixed(12))).toEqual(['1.500000000000', '1.500000000000']);
    expect(compareSamples(Array(40).fill(250), Array(40).fill(250))).toMatchObject({ ratio: 1, ciLow: 1, ciHigh: 1 });
    expect(compareSamples(Array(40).fill(200), Array(40).fill(300))).toMatchObject({ ratio: 1.5, significant: true });
  });
});
