import { describe, expect, it } from 'vitest';
import { binomialCdf, normalCdf, normalQuantile, studentTCdf, studentTQuantile } from './distributions.ts';

describe('distributions (jstat)', () => {
  it('normal CDF and quantile agree with the tables', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 12);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 7);
    expect(normalCdf(-1)).toBeCloseTo(0.158655253931457, 7);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 6);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
  });

  it("Student's t quantiles agree with the tables and approach the normal", () => {
    expect(studentTQuantile(0.975, 9)).toBeCloseTo(2.262157, 5);
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.7062, 3);
    expect(studentTQuantile(0.975, 1e6)).toBeCloseTo(normalQuantile(0.975), 4);
  });

  it("Student's t CDF inverts the quantile and is symmetric", () => {
    expect(studentTCdf(2.262157, 9)).toBeCloseTo(0.975, 5);
    expect(studentTCdf(0, 4)).toBeCloseTo(0.5, 12);
    expect(studentTCdf(-1.5, 7) + studentTCdf(1.5, 7)).toBeCloseTo(1, 12);
    expect(() => studentTCdf(1, 0)).toThrow(RangeError);
  });

  it('binomial CDF matches exact sums of C(n, i) / 2^n', () => {
    // 1 + 10 = 11 outcomes of 1024 have at most one success.
    expect(binomialCdf(1, 10, 0.5)).toBeCloseTo(11 / 1024, 9);
    expect(binomialCdf(2, 10, 0.5)).toBeCloseTo(56 / 1024, 9);
    expect(binomialCdf(10, 10, 0.5)).toBe(1);
  });

  it('refuses probabilities outside (0, 1)', () => {
    expect(() => normalQuantile(1)).toThrow(RangeError);
    expect(() => studentTQuantile(0.5, 0)).toThrow(RangeError);
  });
});
