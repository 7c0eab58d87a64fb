import { describe, expect, it } from 'vitest';
import { canonicalQuery, staticDataFile } from './source.ts';

describe('staticDataFile', () => {
  it('maps a request to one safe file name whatever the order of the query', () => {
    const a = staticDataFile('/api/v1/runs/x/compare', { other: 'cpython-3.13.5t/nogil', base: 'cpython-3.13.5/gil' });
    const b = staticDataFile('/api/v1/runs/x/compare', { base: 'cpython-3.13.5/gil', other: 'cpython-3.13.5t/nogil' });
    expect(a).toBe(b);
    expect(a).toMatch(/^data\/[a-z0-9._-]+\.json$/);
  });

  it('keeps different requests apart, including ones differing only in case or punctuation', () => {
    const names = new Set([
      staticDataFile('/api/v1/runs', { machine: 1 }),
      staticDataFile('/api/v1/runs', { machine: 11 }),
      staticDataFile('/api/v1/runs'),
      staticDataFile('/api/v1/Runs'),
      staticDataFile('/api/v1/runs_', {}),
      staticDataFile('/api/v1/series', { machine: 1 }),
    ]);
    expect(names.size).toBe(6);
  });

  it('shortens very long names with a hash and never escapes the data folder', () => {
    const long = staticDataFile('/api/v1/compare', { base: 'a'.repeat(300), other: '../../etc/passwd' });
    expect(long.length).toBeLessThan(200);
    expect(staticDataFile('/../../x', { y: '../z' })).not.toContain('/..');
  });

  it('drops empty values from the canonical query', () => {
    expect(canonicalQuery({ b: 2, a: 'x y', c: undefined, d: '' })).toBe('a=x+y&b=2');
  });
});
