import { expect, it, describe as suite } from 'vitest';
import { mean, median, quantile, quantileSorted, sampleSd, sortedCopy } from './summary.ts';

suite('summary helpers', () => {
  it('mean and sample SD match hand-computed values', () => {
    expect(mean([1, 2, 3, 6])).toBe(3);
    // Σ(x - 5)² = 32 over n - 1 = 7.
    expect(sampleSd([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(sampleSd([7])).toBe(0);
  });

  it('median takes the middle value or the mean of the two middle values', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([-2, 10])).toBe(4);
  });

  it('quantile interpolates linearly between order statistics (type 7)', () => {
    expect(quantile([4, 1, 3, 2], 0.25)).toBe(1.75);
    expect(quantile([4, 1, 3, 2], 0.75)).toBe(3.25);
    expect(quantileSorted([10, 20, 30, 40, 50], 0.1)).toBe(14);
    expect(quantile([3, 1, 2], 0)).toBe(1);
    expect(quantile([3, 1, 2], 1)).toBe(3);
  });

  it('sorts numerically and leaves the input alone', () => {
    const input = [10, 9, 100, 1];
    expect(sortedCopy(input)).toEqual([1, 9, 10, 100]);
    expect(input).toEqual([10, 9, 100, 1]);
  });

  it('refuses empty input and quantiles outside [0, 1]', () => {
    expect(() => mean([])).toThrow(RangeError);
    expect(() => median([])).toThrow(RangeError);
    expect(() => sampleSd([])).toThrow(RangeError);
    expect(() => quantile([1], 1.5)).toThrow(/\[0, 1\]/);
  });
});
