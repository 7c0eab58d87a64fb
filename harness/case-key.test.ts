import { describe, expect, it } from 'vitest';
import { caseId, caseKey, formatParams, withoutThreads, workloadKey } from './case-key.ts';

describe('case keys', () => {
  it('sorts the parameters whatever order they came in', () => {
    expect(caseKey({ threads: 4, lock: 'rlock' })).toBe('lock=rlock,threads=4');
    expect(caseKey({ lock: 'rlock', threads: 4 })).toBe('lock=rlock,threads=4');
    expect(caseKey({})).toBe('');
  });

  it('names a case suite/benchmark[key], without brackets when it has no parameters', () => {
    expect(caseId('scaling', 'shared-dict-read', { threads: 2 })).toBe('scaling/shared-dict-read[threads=2]');
    expect(caseId('selftest', 'empty', {})).toBe('selftest/empty');
  });

  it('names a workload without its thread count', () => {
    expect(workloadKey('locks', 'read', { threads: 2, lock: 'rlock' })).toBe('locks/read[lock=rlock]');
    expect(workloadKey('scaling', 'spin', { threads: 8 })).toBe('scaling/spin');
    expect(withoutThreads({ threads: 2, shared: false })).toEqual({ shared: false });
  });

  it('writes parameters for reading with a space after each comma', () => {
    expect(formatParams({ threads: 4, lock: 'rlock' })).toBe('lock=rlock, threads=4');
    expect(formatParams(null)).toBe('');
  });

  // Issue 14, case 5 as tried: both pairs gave one key, so two cases shared one series.
  it('keeps apart parameters that only looked alike: a string holding a comma, a string that reads as a boolean', () => {
    expect(caseKey({ a: '1,b=2' })).not.toBe(caseKey({ a: 1, b: 2 }));
    expect(caseKey({ a: '1,b=2' })).toBe('a="1,b=2"');
    expect(caseKey({ a: 1, b: 2 })).toBe('a=1,b=2');
    expect(caseKey({ flag: true })).not.toBe(caseKey({ flag: 'true' }));
    expect(caseKey({ flag: 'true' })).toBe('flag="true"');
    expect(caseKey({ n: 1 })).not.toBe(caseKey({ n: '1' }));
  });

  it('gives distinct keys to every distinct set among many look-alikes (names and values with , = " and spaces)', () => {
    const values: Array<string | number | boolean> = [
      1,
      '1',
      true,
      'true',
      false,
      'false',
      '',
      'a',
      'a,b',
      'a=b',
      '"a"',
      'a b',
      1.5,
      '1.5',
      -1,
      'x"y',
    ];
    const names = ['a', 'b', 'a,b', 'a=b', '"a"'];
    const seen = new Map<string, string>();
    for (const n1 of names)
      for (const v1 of values) {
        const one = { [n1]: v1 };
        for (const params of [one, ...values.map((v2) => ({ ...one, b2: v2 }))]) {
          const key = caseKey(params);
          const identity = JSON.stringify(Object.entries(params).sort());
          expect(seen.get(key) ?? identity, key).toBe(identity);
          seen.set(key, identity);
        }
      }
    expect(seen.size).toBeGreaterThan(1000);
  });
});
