import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatChange,
  formatNs,
  formatPercent,
  formatPValue,
  formatRatio,
  formatRatioCi,
  formatRatioRange,
  formatRatioReading,
  MISSING,
  ratioVerdict,
} from './numbers.ts';

describe('formatNs()', () => {
  it('uses 3 significant digits in ns, µs, ms or s', () => {
    expect(formatNs(12.34)).toBe('12.3 ns');
    expect(formatNs(12.345)).toBe('12.3 ns');
    expect(formatNs(4563)).toBe('4.56 µs');
    expect(formatNs(1234.5)).toBe('1.23 µs');
    expect(formatNs(1_234_567)).toBe('1.23 ms');
    expect(formatNs(2.5e6)).toBe('2.50 ms');
    expect(formatNs(2e9)).toBe('2.00 s');
    expect(formatNs(123.4)).toBe('123 ns');
    expect(formatNs(0.0553)).toBe('0.0553 ns');
    expect(formatNs(0)).toBe('0.00 ns');
    expect(formatNs(-1.5)).toBe('-1.50 ns');
    expect(formatNs(3.6e12)).toBe('3600 s');
  });

  it('moves up a unit when rounding reaches 1000', () => {
    expect(formatNs(999.96)).toBe('1.00 µs');
    expect(formatNs(999_999)).toBe('1.00 ms');
  });

  it('says – for NaN, infinity and a missing value', () => {
    expect(MISSING).toBe('–');
    expect(formatNs(Number.NaN)).toBe('–');
    expect(formatNs(Number.POSITIVE_INFINITY)).toBe('–');
    expect(formatNs(null)).toBe('–');
    expect(formatNs(undefined)).toBe('–');
  });
});

describe('ratios, percentages, p-values', () => {
  it('formats them compactly', () => {
    expect(formatPercent(0.041)).toBe('4.1%');
    expect(formatPercent(0.02)).toBe('2%');
    expect(formatPercent(3.456)).toBe('346%');
    expect(formatRatio(1.4234)).toBe('1.42×');
    expect(formatRatio(0.0456)).toBe('0.046×');
    expect(formatRatio(12.34)).toBe('12.3×');
    expect(formatRatioCi(1.42, 1.38, 1.46)).toBe('1.42× [1.38, 1.46]');
    expect(formatPValue(0.0004)).toBe('p<0.001');
    expect(formatPValue(0.0341)).toBe('p=0.034');
  });

  it('formats ratios with their CI and signed changes', () => {
    expect(formatRatioCi(1.2345, 1.2, 1.27)).toBe('1.23× [1.20, 1.27]');
    expect(formatRatioCi(1.2345, null, 1.27)).toBe('1.23×');
    expect(formatRatioCi(null, 1.2, 1.27)).toBe('–');
    expect(formatRatioRange(1.2, 1.27)).toBe('[1.20, 1.27]');
    expect(formatChange(0.05)).toBe('+5.0%');
    expect(formatChange(-0.125)).toBe('-12.5%');
  });

  it('takes fixed decimals for a percentage when asked', () => {
    expect(formatPercent(0.8765, 0)).toBe('88%');
    expect(formatPercent(0.0123, 1)).toBe('1.2%');
    expect(formatPercent(null, 0)).toBe('–');
  });

  it('says a time ratio in words: times slower or faster', () => {
    expect(formatRatioReading(1.42)).toBe('1.42× slower');
    expect(formatRatioReading(0.5)).toBe('2.00× faster');
    expect(formatRatioReading(1.001)).toBe('about the same');
    expect(formatRatioReading(null)).toBe('–');
    expect(ratioVerdict(1.05, 1.2)).toBe('slower');
    expect(ratioVerdict(0.8, 0.95)).toBe('faster');
    expect(ratioVerdict(0.9, 1.1)).toBe('no clear change');
  });

  it('formats bytes in binary units', () => {
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MiB');
    expect(formatBytes(512)).toBe('512 B');
  });
});
