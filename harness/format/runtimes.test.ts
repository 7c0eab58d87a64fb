import { describe, expect, it } from 'vitest';
import { formatRuntimeChange } from './runtimes.ts';

describe('formatRuntimeChange', () => {
  it('names the release on each side, and the build kind when it is a release build', () => {
    expect(formatRuntimeChange({ from: 'cpython-3.13.5t/nogil', to: 'cpython-3.13.15t/nogil' })).toBe(
      'runtime 3.13.5t → 3.13.15t',
    );
    expect(formatRuntimeChange({ from: 'cpython-3.13.5/gil', to: 'cpython-3.13.5-release/gil' })).toBe(
      'runtime 3.13.5 → 3.13.5-release',
    );
    expect(formatRuntimeChange({ from: 'pypy-7.3/gil', to: 'cpython-3.13.5/gil' })).toBe('runtime pypy-7.3 → 3.13.5');
  });
});
