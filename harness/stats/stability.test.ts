import { describe, expect, it } from 'vitest';
import type { Stats } from '../schema.ts';
import { assessStability } from './stability.ts';

const base: Stats = { n: 30, mean: 100, median: 100, min: 95, max: 120, sd: 3, ciLow: 99, ciHigh: 101, margin: 0.01 };
const bounds = { maxMargin: 0.02, minSamples: 10 };

describe('assessStability()', () => {
  it('is silent for a tight result with enough samples', () => {
    expect(assessStability(base, bounds)).toEqual([]);
  });

  it('warns unstable with the figure and the bound', () => {
    expect(assessStability({ ...base, margin: 0.041 }, bounds)).toEqual([
      {
        code: 'unstable',
        message: '±4.1% exceeds ±2% — results vary; close other programs or use --profile rigorous',
      },
    ]);
  });

  it('warns too-few-samples below the minimum, and below 6 whatever the minimum', () => {
    const few = assessStability({ ...base, n: 8 }, bounds);
    expect(few.map((w) => w.code)).toEqual(['too-few-samples']);
    expect(few[0]!.message).toMatch(/too few samples: 8 \(at least 10/);
    const tiny = assessStability({ ...base, n: 4 }, { maxMargin: 0.02, minSamples: 1 });
    expect(tiny[0]!.message).toMatch(/too few samples: 4 \(the 95% interval is only \[min, max\]\)/);
  });

  it('can warn both ways at once', () => {
    const warnings = assessStability({ ...base, n: 5, margin: 0.3 }, bounds);
    expect(warnings.map((w) => w.code)).toEqual(['too-few-samples', 'unstable']);
    expect(warnings[1]!.message).toMatch(/^±30% exceeds ±2%/);
  });

  it('refuses bounds that make no sense', () => {
    expect(() => assessStability(base, { maxMargin: 0, minSamples: 10 })).toThrow(/maxMargin/);
    expect(() => assessStability(base, { maxMargin: 0.02, minSamples: 0.5 })).toThrow(/minSamples/);
  });
});
