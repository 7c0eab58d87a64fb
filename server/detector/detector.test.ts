import { describe, expect, it } from 'vitest';
import { createRng, normalDeviate } from '../../harness/stats/prng.ts';
import { createDetector, DETECTOR_DEFAULTS, type SeriesPoint } from './detector.ts';
import { pointFromSamples } from './point.ts';

/** A series with relative noise `cv` (seeded, so every run of the test sees the same numbers). */
function series(levels: readonly number[], cv: number, seed = 1): SeriesPoint[] {
  const next = createRng(seed);
  return levels.map((level) => ({ level: level * Math.exp(cv * normalDeviate(next)), rse: cv / 4 }));
}

const flat = (n: number, level = 1000) => Array.from({ length: n }, () => level);
const step = (before: number, after: number, size: number, level = 1000) => [
  ...flat(before, level),
  ...flat(after, level * (1 + size)),
];

describe('createDetector().detect', () => {
  const detector = createDetector();

  it('finds a 5% step at 1% noise on the second run after it, naming the first', () => {
    const points = series(step(30, 2, 0.05), 0.01);
    const change = detector.detect(points);
    expect(change).not.toBeNull();
    expect(change!.index).toBe(30);
    expect(change!.kind).toBe('regression');
    expect(change!.afterCount).toBe(2);
    expect(change!.ciLow).toBeLessThan(0.05);
    expect(change!.ciHigh).toBeGreaterThan(0.05);
    expect(change!.change).toBeGreaterThan(0.02);
    expect(change!.confidence).toBeGreaterThan(0.999);
  });

  it('does not decide on one run after a step', () => {
    expect(detector.detect(series(step(30, 1, 0.2), 0.01))).toBeNull();
  });

  it('reports a faster level as an improvement with a negative change', () => {
    const change = detector.detect(series(step(25, 3, -0.1), 0.01, 3));
    expect(change?.kind).toBe('improvement');
    expect(change?.index).toBe(25);
    expect(change!.change).toBeLessThan(-0.05);
  });

  it('finds nothing in a step-free series', () => {
    const points = series(flat(60), 0.01, 5);
    for (let end = 2; end <= points.length; end++) expect(detector.detect(points.slice(0, end))).toBeNull();
  });

  it('does not take one disturbed run next to an ordinary one for a change', () => {
    const levels = flat(32);
    levels[30] = 1300; // a busy machine, once
    expect(detector.detect(series(levels, 0.005, 7))).toBeNull();
  });

  it('judges a bimodal series against its real spread', () => {
    // Runs land in a fast (1000) or a slow (1040) state; two slow runs in a row are no change.
    const pattern = [0, 1, 0, 0, 1, 0, 1, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 1, 1];
    const points = series(
      pattern.map((slow) => (slow ? 1040 : 1000)),
      0.002,
      9,
    );
    expect(detector.detect(points)).toBeNull();
  });

  it('ignores a shift below the minimum effect however clear it is', () => {
    expect(detector.detect(series(step(30, 10, 0.005), 0.0005, 11))).toBeNull();
    expect(createDetector({ minEffect: 0.002 }).detect(series(step(30, 10, 0.005), 0.0005, 11))?.index).toBe(30);
  });

  it('catches a small step later, once enough runs show it', () => {
    const points = series(step(40, 20, 0.02), 0.01, 13);
    let found: number | null = null;
    for (let end = 41; end <= points.length && found === null; end++) {
      const change = detector.detect(points.slice(0, end));
      if (change) found = end - 40; // runs after the step when it was decided
      // A 2-sigma step: where it starts is only known to within a few runs.
      if (change) expect(Math.abs(change.index - 40)).toBeLessThanOrEqual(5);
    }
    expect(found).not.toBeNull();
    expect(found!).toBeGreaterThan(2);
  });

  it('needs history before it judges', () => {
    expect(detector.detect(series(step(4, 2, 0.5), 0.001))).toBeNull();
  });

  it('searches only after the last boundary, using the runs before it for the noise', () => {
    // A known change at 30 (×1.1); then a second one at 40 (×1.05) with only 10 runs of the new level before it.
    const levels = [...flat(30), ...flat(10, 1100), ...flat(2, 1155)];
    const points = series(levels, 0.005, 17);
    expect(detector.detect(points.slice(0, 40), { boundaries: [30] })).toBeNull();
    const change = detector.detect(points, { boundaries: [30] });
    expect(change?.index).toBe(40);
    expect(change?.beforeCount).toBe(10);
    expect(change!.change).toBeCloseTo(0.05, 1);
  });

  it('does not report a skipped index again', () => {
    const points = series(step(30, 2, 0.1), 0.005, 19);
    expect(detector.detect(points)?.index).toBe(30);
    expect(detector.detect(points, { skip: new Set([30]) })).toBeNull();
  });

  it('rejects points that are not positive', () => {
    expect(() => detector.detect([...series(flat(10), 0.01), { level: 0, rse: 0 }])).toThrow(RangeError);
  });
});

describe('createDetector options', () => {
  it('checks options when the detector is made', () => {
    expect(() => createDetector({ alpha: 0 })).toThrow(/alpha/);
    expect(() => createDetector({ minEffect: 1.5 })).toThrow(/minEffect/);
    expect(() => createDetector({ minAfter: 0 })).toThrow(/minAfter/);
    expect(() => createDetector({ maxBefore: 2 })).toThrow(/maxBefore/);
    expect(createDetector().options).toEqual(DETECTOR_DEFAULTS);
  });

  it('names its method and settings', () => {
    expect(createDetector().method).toMatch(/^robust-shift\/v1/);
  });
});

describe('pointFromSamples', () => {
  it('takes the median after the loop cost and its relative error', () => {
    const point = pointFromSamples([12, 10, 11, 13, 14, 15, 16], 2);
    expect(point!.level).toBe(11);
    // 7 samples: the 95% CI of the median spans the min and max (10..16) -> half-width 3.
    expect(point!.rse).toBeCloseTo(6 / (2 * 1.959963984540054 * 11), 10);
  });

  it('has no point without samples or with a level at or below 0', () => {
    expect(pointFromSamples([])).toBeNull();
    expect(pointFromSamples([5, 5, 5], 5)).toBeNull();
  });

  it('has no within-run error below 6 samples', () => {
    expect(pointFromSamples([1, 2, 3])!.rse).toBe(0);
  });
});
