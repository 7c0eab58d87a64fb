import { describe, expect, it } from 'vitest';
import { lognormalSamples } from '../test-support/index.ts';
import { type LockInput, lockCosts, lockHeadlines } from './lock-costs.ts';

const GIL = 'cpython-3.13.5/gil';

function read(kind: string, lock: string, medianNs: number, params: Record<string, unknown> = {}): LockInput {
  return {
    suite: 'locks',
    benchmark: kind,
    params: { threads: 2, lock, writer: false, ...params } as LockInput['params'],
    mode: GIL,
    status: 'ok',
    samples: lognormalSamples({ seed: medianNs * 7, n: 30, medianNs, sigma: 0.01, outlierRate: 0 }),
    loopCostNs: 0,
    processes: 1,
    stats: null,
  };
}

describe('lock costs', () => {
  it('is t(lock) / t(lock-free) of the same case, with a CI', () => {
    const costs = lockCosts([
      read('dict_read', 'none', 10),
      read('dict_read', 'lock', 70),
      read('dict_read', 'private', 9),
    ]);
    const lock = costs.find((c) => c.lock === 'lock')!;
    expect(lock.ratio).toBeCloseTo(7, 0);
    expect(lock.ciLow).toBeLessThan(lock.ratio);
    expect(lock.ciHigh).toBeGreaterThan(lock.ratio);
    expect(costs.find((c) => c.lock === 'private')!.ratio).toBeCloseTo(0.9, 1);
  });

  it('pairs only the same writer setting and thread count', () => {
    const costs = lockCosts([read('dict_read', 'none', 10), read('dict_read', 'lock', 70, { writer: true })]);
    expect(costs).toEqual([]);
  });

  it('heads each mode and writer setting with the geometric mean over read kinds at the most threads', () => {
    const costs = lockCosts([
      read('dict_read', 'none', 10),
      read('dict_read', 'lock', 40),
      read('list_read', 'none', 10),
      read('list_read', 'lock', 90),
      read('list_read', 'lock', 50, { threads: 1 }),
      read('list_read', 'none', 10, { threads: 1 }),
    ]);
    const [head] = lockHeadlines(costs);
    expect(head).toMatchObject({ mode: GIL, writer: false, threads: 2 });
    expect(head!.byLock.lock!.value).toBeCloseTo(6, 0);
    expect(head!.byLock.lock!.count).toBe(2);
    expect(head!.byLock.rlock).toBeNull();
  });
});
