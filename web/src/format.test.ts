import { describe, expect, it } from 'vitest';
import { formatBytes, formatChange, formatNs, formatRatioCi, formatRatioReading, ratioVerdict } from './format.ts';

describe('format', () => {
  it('keeps units explicit and scales them', () => {
    expect(formatNs(12.345)).toBe('12.3 ns');
    expect(formatNs(1234.5)).toBe('1.23 µs');
    expect(formatNs(2.5e6)).toBe('2.50 ms');
    expect(formatNs(null)).toBe('–');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MiB');
  });

  it('formats ratios with their CI and signed changes', () => {
    expect(formatRatioCi(1.2345, 1.2, 1.27)).toBe('×1.234 [1.200, 1.270]');
    expect(formatChange(0.05)).toBe('+5.0%');
    expect(formatChange(-0.125)).toBe('-12.5%');
  });

  it('says a time ratio in words: times slower or faster', () => {
    expect(formatRatioReading(1.42)).toBe('1.42x slower');
    expect(formatRatioReading(0.5)).toBe('2.00x faster');
    expect(formatRatioReading(1.001)).toBe('about the same');
    expect(formatRatioReading(null)).toBe('–');
    expect(ratioVerdict(1.05, 1.2)).toBe('slower');
    expect(ratioVerdict(0.8, 0.95)).toBe('faster');
    expect(ratioVerdict(0.9, 1.1)).toBe('no clear change');
  });
});
