import { expect, it, describe as suite } from 'vitest';
import { Stats } from '../schema.ts';
import { describe, describeAfterLoopCost } from './describe.ts';

suite('describe()', () => {
  it('gives the known statistics of 10..19 with the CI at ranks 2 and 9', () => {
    const values = [15, 10, 19, 12, 11, 18, 13, 17, 14, 16];
    const stats = describe(values);
    expect(stats).toMatchObject({ n: 10, mean: 14.5, median: 14.5, min: 10, max: 19, ciLow: 11, ciHigh: 18 });
    expect(stats.sd).toBeCloseTo(Math.sqrt(82.5 / 9), 12);
    // Larger half-width 3.5 relative to 14.5.
    expect(stats.margin).toBeCloseTo(3.5 / 14.5, 12);
    expect(Stats.safeParse(stats).success).toBe(true);
  });

  it('uses the order statistics at ranks 6 and 15 for 20 values', () => {
    const values = Array.from({ length: 20 }, (_, i) => (i + 1) * 10).reverse();
    const stats = describe(values);
    expect([stats.ciLow, stats.ciHigh]).toEqual([60, 150]);
  });

  it('falls back to [min, max] below 6 samples', () => {
    const stats = describe([3, 1, 2]);
    expect(stats).toMatchObject({ n: 3, median: 2, ciLow: 1, ciHigh: 3, margin: 0.5 });
    expect(describe([7])).toMatchObject({ n: 1, median: 7, sd: 0, ciLow: 7, ciHigh: 7, margin: 0 });
  });

  it('measures the margin against the floor when the median is near 0', () => {
    const nearZero = [-0.2, -0.1, 0, 0.05, 0.1, 0.1, 0.2, 0.3, 0.3, 0.4];
    const stats = describe(nearZero);
    // Half-width max(0.1 - (-0.1), 0.3 - 0.1) = 0.2 over the 1 ns floor, not over the 0.1 ns median.
    expect(stats.margin).toBeCloseTo(0.2, 12);
    expect(describe(nearZero, { marginFloor: 20 }).margin).toBeCloseTo(0.01, 12);
    expect(Number.isFinite(describe([0, 0, 0, 0, 0, 0]).margin)).toBe(true);
  });

  it('describeAfterLoopCost subtracts the loop cost and measures the margin against it', () => {
    const raw = [20.1, 20.2, 20.0, 19.9, 20.3, 20.2, 20.1, 20.0, 19.8, 20.2];
    const stats = describeAfterLoopCost(raw, 20);
    expect(stats.median).toBeCloseTo(0.1, 12);
    expect(stats.min).toBeCloseTo(-0.2, 12);
    // CI [19.9, 20.2] - 20 around 0.1: half-width 0.2 relative to the 20 ns that was timed.
    expect(stats.margin).toBeCloseTo(0.2 / 20, 12);
  });

  it('refuses empty or non-finite input and a bad floor', () => {
    expect(() => describe([])).toThrow(RangeError);
    expect(() => describe([1, Number.NaN])).toThrow(/finite/);
    expect(() => describe([1], { marginFloor: 0 })).toThrow(/marginFloor/);
    expect(() => describeAfterLoopCost([1], -1)).toThrow(/loopCostNs/);
  });
});
