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
});
