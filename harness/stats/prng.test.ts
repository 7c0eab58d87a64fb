import { describe, expect, it } from 'vitest';
import { createRng, normalDeviate } from './prng.ts';

describe('createRng()', () => {
  it('repeats itself for one seed and differs between seeds', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const first = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(first);
    expect(Array.from({ length: 5 }, c)).not.toEqual(first);
  });

  it('draws uniformly from [0, 1): every decile near 10% (chi-square, 9 df)', () => {
    const next = createRng(7);
    const counts = new Array<number>(10).fill(0);
    const draws = 100_000;
    let outside = 0;
    for (let i = 0; i < draws; i++) {
      const u = next();
      if (!(u >= 0 && u < 1)) outside++;
      else counts[Math.floor(u * 10)]!++;
    }
    expect(outside).toBe(0);
    const expected = draws / 10;
    const chiSquare = counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
    // 99.9th percentile of chi-square with 9 df is 27.9.
    expect(chiSquare).toBeLessThan(27.9);
  });

  it('normal deviates have mean ≈ 0 and SD ≈ 1', () => {
    const next = createRng(3);
    const z = Array.from({ length: 50_000 }, () => normalDeviate(next));
    const m = z.reduce((s, v) => s + v, 0) / z.length;
    const sd = Math.sqrt(z.reduce((s, v) => s + (v - m) ** 2, 0) / (z.length - 1));
    expect(Math.abs(m)).toBeLessThan(0.02);
    expect(Math.abs(sd - 1)).toBeLessThan(0.02);
  });
});
