import { describe, expect, it } from 'vitest';
import { normalQuantile } from './distributions.ts';
import { geometricMean } from './geomean.ts';

describe('geometricMean()', () => {
  it('of 2 and 0.5 is 1', () => {
    const gm = geometricMean([
      { ratio: 2, ciLow: 1.9, ciHigh: 2.1 },
      { ratio: 0.5, ciLow: 0.45, ciHigh: 0.55 },
    ])!;
    expect(gm.value).toBeCloseTo(1, 12);
    expect(gm.count).toBe(2);
    expect([gm.min, gm.max]).toEqual([0.5, 2]);
    // SD of the logs ±ln 2 is ln 2·√2.
    expect(gm.geometricSd).toBeCloseTo(Math.exp(Math.LN2 * Math.SQRT2), 12);
  });

  it('propagates each log-scale standard error into the CI', () => {
    const z = normalQuantile(0.975);
    // CIs of exactly ±z·se on the log scale, se = 0.03 and 0.04: se(mean) = √(0.03² + 0.04²)/2 = 0.025.
    const gm = geometricMean([
      { ratio: 1.2, ciLow: 1.2 * Math.exp(-z * 0.03), ciHigh: 1.2 * Math.exp(z * 0.03) },
      { ratio: 1.5, ciLow: 1.5 * Math.exp(-z * 0.04), ciHigh: 1.5 * Math.exp(z * 0.04) },
    ])!;
    expect(gm.value).toBeCloseTo(Math.sqrt(1.2 * 1.5), 12);
    expect(Math.log(gm.ciHigh / gm.value)).toBeCloseTo(z * 0.025, 10);
    expect(Math.log(gm.value / gm.ciLow)).toBeCloseTo(z * 0.025, 10);
  });

  it('one ratio gives back itself with its CI width, centred on the log scale; no spread', () => {
    const gm = geometricMean([{ ratio: 1.3, ciLow: 1.2, ciHigh: 1.4 }])!;
    expect(gm.value).toBeCloseTo(1.3, 12);
    // Half-width ln(1.4 / 1.2) / 2 either side of ln 1.3.
    expect(gm.ciLow).toBeCloseTo(1.3 * Math.sqrt(1.2 / 1.4), 10);
    expect(gm.ciHigh).toBeCloseTo(1.3 * Math.sqrt(1.4 / 1.2), 10);
    expect(gm.geometricSd).toBe(1);
  });

  it('skips null ratios and returns null when none is left', () => {
    const missing = { ratio: null, ciLow: null, ciHigh: null };
    const gm = geometricMean([missing, { ratio: 1.1, ciLow: 1, ciHigh: 1.2 }])!;
    expect(gm).toMatchObject({ count: 1, skipped: 1 });
    expect(geometricMean([missing])).toBeNull();
    expect(geometricMean([])).toBeNull();
  });

  it('refuses ratios that are not positive', () => {
    expect(() => geometricMean([{ ratio: -1, ciLow: -2, ciHigh: 0 }])).toThrow(RangeError);
  });
});
