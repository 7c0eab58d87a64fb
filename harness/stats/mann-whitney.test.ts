import { describe, expect, it } from 'vitest';
import { mannWhitneyU } from './mann-whitney.ts';

describe('mannWhitneyU()', () => {
  it('reproduces the textbook example (Conover; SciPy docs): U = 17, asymptotic p = 0.1113', () => {
    const males = [19, 22, 16, 29, 24];
    const females = [20, 11, 17, 12];
    const result = mannWhitneyU(males, females);
    expect(result.u).toBe(17);
    // z = (17 - 10 - 0.5) / sqrt(5·4·10/12)
    expect(result.z).toBeCloseTo(1.5921683328090657, 10);
    expect(result.pValue).toBeCloseTo(0.11134688653314041, 7);
  });

  it('uses mid-ranks and the tie-corrected variance', () => {
    // By pair counting U = 2.5; ties 2,2,2 / 3,3 / 4,4 give Σ(t³ - t) = 36:
    // σ² = 16/12 · (9 - 36/56), z = -5 / σ, p = 0.134169 (R: wilcox.test(exact = FALSE)).
    const result = mannWhitneyU([1, 2, 2, 3], [2, 3, 4, 4]);
    expect(result.u).toBe(2.5);
    expect(result.z).toBeCloseTo(-1.4978617237881953, 10);
    expect(result.pValue).toBeCloseTo(0.13416918012812581, 7);
  });

  it('is symmetric: swapping the samples gives U₂ = n₁n₂ - U₁ and the same p', () => {
    const a = [1.1, 2.3, 0.4, 5.5, 3.2, 2.2];
    const b = [4.1, 6.3, 2.9, 7.7];
    const ab = mannWhitneyU(a, b);
    const ba = mannWhitneyU(b, a);
    expect(ab.u + ba.u).toBe(a.length * b.length);
    expect(ba.pValue).toBeCloseTo(ab.pValue, 12);
  });

  it('gives p = 1 for identical samples and a tiny p for separated ones', () => {
    expect(mannWhitneyU([5, 5, 5], [5, 5, 5]).pValue).toBe(1);
    const low = Array.from({ length: 30 }, (_, i) => 100 + i);
    const high = Array.from({ length: 30 }, (_, i) => 200 + i);
    expect(mannWhitneyU(low, high).pValue).toBeLessThan(1e-9);
  });

  it('refuses an empty side', () => {
    expect(() => mannWhitneyU([], [1])).toThrow(RangeError);
  });
});
