import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { BADGE_COLORS, badgeSvg, regressionsBadge, singleThreadBadge } from './badge.ts';

describe('badges', () => {
  it('are valid SVG whose title and label carry the whole text, escaped', () => {
    const svg = badgeSvg({ label: 'a<b', message: '1 & 2', color: '#000' });
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).toContain('<title>a&lt;b: 1 &amp; 2</title>');
    expect(svg).toContain('aria-label="a&lt;b: 1 &amp; 2"');
  });
  it('grow with their text', () => {
    const width = (message: string) =>
      Number(/width="(\d+)"/.exec(badgeSvg({ label: 'x', message, color: '#000' }))![1]);
    expect(width('1.42× [1.38, 1.46] time, cpython-3.13.5t')).toBeGreaterThan(width('0 open'));
  });
  it('say the single-thread figure with its CI and runtime, or why there is none', () => {
    expect(singleThreadBadge({ value: 1.4234, ciLow: 1.38, ciHigh: 1.46 }, 'cpython-3.13.5t')).toEqual({
      label: 'nogil/gil single-thread',
      message: '1.42× [1.38, 1.46] time, cpython-3.13.5t',
      color: BADGE_COLORS.warn,
    });
    expect(singleThreadBadge({ value: 0.9, ciLow: 0.85, ciHigh: 0.95 }, null).color).toBe(BADGE_COLORS.good);
    expect(singleThreadBadge(null, null, 'no run yet')).toMatchObject({
      message: 'no run yet',
      color: BADGE_COLORS.none,
    });
  });
  it('count open regressions', () => {
    expect(regressionsBadge(0)).toEqual({ label: 'regressions', message: '0 open', color: BADGE_COLORS.good });
    expect(regressionsBadge(3, 'bench-1')).toMatchObject({ label: 'regressions on bench-1', color: BADGE_COLORS.bad });
  });
});
