import { describe, expect, it } from 'vitest';
import { formatNs, formatPercent, formatPValue, formatRatio, formatRatioCi } from './format.ts';

describe('formatNs()', () => {
  it('uses 3 significant digits in ns, us, ms or s', () => {
    expect(formatNs(12.34)).toBe('12.3 ns');
    expect(formatNs(4563)).toBe('4.56 us');
    expect(formatNs(1_234_567)).toBe('1.23 ms');
    expect(formatNs(2e9)).toBe('2.00 s');
    expect(formatNs(123.4)).toBe('123 ns');
    expect(formatNs(0.0553)).toBe('0.0553 ns');
    expect(formatNs(0)).toBe('0.00 ns');
    expect(formatNs(-1.5)).toBe('-1.50 ns');
    expect(formatNs(3.6e12)).toBe('3600 s');
  });

  it('moves up a unit when rounding reaches 1000', () => {
    expect(formatNs(999.96)).toBe('1.00 us');
    expect(formatNs(999_999)).toBe('1.00 ms');
  });

  it('says n/a for NaN and infinity', () => {
    expect(formatNs(Number.NaN)).toBe('n/a');
    expect(formatNs(Number.POSITIVE_INFINITY)).toBe('n/a');
  });
});

describe('ratios, percentages, p-values', () => {
  it('formats them compactly', () => {
    expect(formatPercent(0.041)).toBe('4.1%');
    expect(formatPercent(0.02)).toBe('2%');
    expect(formatPercent(3.456)).toBe('346%');
    expect(formatRatio(1.4234)).toBe('1.42x');
    expect(formatRatio(0.0456)).toBe('0.046x');
    expect(formatRatio(12.34)).toBe('12.3x');
    expect(formatRatioCi(1.42, 1.38, 1.46)).toBe('1.42x [1.38, 1.46]');
    expect(formatPValue(0.0004)).toBe('p<0.001');
    expect(formatPValue(0.0341)).toBe('p=0.034');
  });
});
