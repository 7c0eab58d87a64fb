import { describe, expect, it } from 'vitest';
import { fixtureMode, fixtureResult, lognormalSamples } from '../test-support/index.ts';
import { compareResults, compareSamples } from './compare.ts';

const gil = fixtureMode('gil');
const nogil = fixtureMode('nogil');

describe('compareSamples()', () => {
  it('identical samples: ratio 1 inside its CI, p = 1, not significant', () => {
    const samples = lognormalSamples({ seed: 1, n: 30, medianNs: 50 });
    const c = compareSamples(samples, [...samples]);
    expect(c).toMatchObject({ ratio: 1, pValue: 1, significant: false, reason: null });
    // Each side is resampled on its own, so the CI still shows the sampling noise of both.
    expect(c.ciLow!).toBeLessThan(1);
    expect(c.ciHigh!).toBeGreaterThan(1);
  });

  it('equal inputs give equal outputs (seeded bootstrap); another seed moves only the CI', () => {
    const base = lognormalSamples({ seed: 1, n: 30, medianNs: 50 });
    const other = lognormalSamples({ seed: 2, n: 30, medianNs: 55 });
    expect(compareSamples(base, other)).toEqual(compareSamples(base, other));
    const reseeded = compareSamples(base, other, { seed: 99 });
    expect(reseeded.ratio).toBe(compareSamples(base, other).ratio);
    expect(reseeded.ciLow).not.toBe(compareSamples(base, other).ciLow);
  });

  it('a 30% slowdown is significant, with the CI around 1.3', () => {
    const base = lognormalSamples({ seed: 1, n: 30, medianNs: 100 });
    const other = lognormalSamples({ seed: 2, n: 30, medianNs: 130 });
    const c = compareSamples(base, other);
    expect(c.ratio).toBeCloseTo(c.other!.median / c.base!.median, 12);
    expect(c.ratio!).toBeGreaterThan(1.2);
    expect(c.ciLow!).toBeLessThan(c.ratio!);
    expect(c.ciHigh!).toBeGreaterThan(c.ratio!);
    expect(c.ciLow!).toBeGreaterThan(1);
    expect(c.pValue!).toBeLessThan(1e-6);
    expect(c.significant).toBe(true);
  });

  it('two draws from one distribution are not significant', () => {
    const c = compareSamples(
      lognormalSamples({ seed: 3, n: 30, medianNs: 100 }),
      lognormalSamples({ seed: 4, n: 30, medianNs: 100 }),
    );
    expect(c.ciLow!).toBeLessThan(1);
    expect(c.ciHigh!).toBeGreaterThan(1);
    expect(c.significant).toBe(false);
  });

  it('declines a ratio when a median is <= 0 or within noise of 0, but keeps the p-value', () => {
    const around0 = [-0.3, -0.1, 0.05, 0.1, 0.2, -0.2, 0.15, 0.3, -0.05, 0.25];
    const c = compareSamples(around0, lognormalSamples({ seed: 5, n: 10, medianNs: 20 }));
    expect(c.ratio).toBeNull();
    expect(c.reason).toMatch(/^base median .* within noise of 0/);
    expect(c.pValue).not.toBeNull();
    expect(c.significant).toBe(false);

    const negative = compareSamples(lognormalSamples({ seed: 6, n: 10, medianNs: 20 }), [-1, -2, -1.5]);
    expect(negative.reason).toMatch(/^other median is -1.50 ns: no time to compare/);

    // 0.5 ns left of a 15 ns loop is under 5% of it: noise.
    const tiny = lognormalSamples({ seed: 7, n: 20, medianNs: 0.5 });
    const small = compareSamples(tiny, tiny, { loopCostNs: { base: 15, other: 15 } });
    expect(small.reason).toMatch(/0.5\d* ns after the loop cost is within noise of 0/);
  });

  it('says which side has no samples', () => {
    expect(compareSamples([], [1]).reason).toBe('no samples in the base mode');
    expect(compareSamples([1], []).reason).toBe('no samples in the other mode');
  });
});

describe('compareResults()', () => {
  const result = (mode = gil, medianNs = 40, extra = {}) =>
    fixtureResult({ suite: 's', benchmark: 'b', mode, medianNs, seed: medianNs, loopCostNs: 15, ...extra });

  it('subtracts each loop cost before comparing', () => {
    const c = compareResults(result(gil, 40), result(nogil, 60));
    expect(c.base!.median).toBeGreaterThan(38);
    expect(c.base!.median).toBeLessThan(42);
    expect(c.ratio!).toBeGreaterThan(1.4);
    expect(c.ratio!).toBeLessThan(1.6);
  });

  it('skips results that are not ok, with the reason', () => {
    const failed = result(nogil, 60, { status: 'error' });
    const c = compareResults(result(), failed);
    expect(c).toMatchObject({ ratio: null, base: null, other: null, significant: false });
    expect(c.reason).toBe('cpython-3.13.5t/nogil result is error: worker exited with code 1');
    expect(compareResults(result(gil, 40, { status: 'invalid' }), result(nogil)).reason).toBe(
      'cpython-3.13.5/gil result is invalid',
    );
  });

  it('declines a ratio when the checksums differ', () => {
    const c = compareResults(result(gil, 40, { checksum: '1' }), result(nogil, 40, { checksum: '2' }));
    expect(c.ratio).toBeNull();
    expect(c.reason).toMatch(/^checksums differ \(cpython-3.13.5\/gil: 1, cpython-3.13.5t\/nogil: 2\)/);
  });
});
