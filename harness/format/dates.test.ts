import { describe, expect, it } from 'vitest';
import { formatAgo, formatTime } from './dates.ts';

describe('formatTime()', () => {
  it('writes a moment in UTC to the minute', () => {
    expect(formatTime('2026-11-21T23:48:10Z')).toBe('2026-11-21 23:48 UTC');
    expect(formatTime(Date.parse('2026-01-02T03:04:05Z'))).toBe('2026-01-02 03:04 UTC');
    expect(formatTime('not a date')).toBe('–');
    expect(formatTime(null)).toBe('–');
  });
});

describe('formatAgo()', () => {
  it('says roughly how long ago', () => {
    const now = Date.parse('2026-11-21T12:00:00Z');
    expect(formatAgo(now - 10_000, now)).toBe('just now');
    expect(formatAgo(now - 5 * 60_000, now)).toBe('5 min ago');
    expect(formatAgo(now - 3 * 3_600_000, now)).toBe('3 h ago');
    expect(formatAgo(now - 3 * 86_400_000, now)).toBe('3 days ago');
    expect(formatAgo(null, now)).toBe('never');
  });
});
