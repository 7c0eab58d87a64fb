import { afterAll, describe, expect, it } from 'vitest';
import { buildResult, lognormalSamples } from '../../harness/test-support/index.ts';
import { type ComparisonSide, compareSides } from '../compare.ts';
import type { ResultRow } from '../store/core/types.ts';
import { createComputePool, Overloaded } from './pool.ts';

function side(label: string, mode: string, n: number, level: number): ComparisonSide {
  const samples = lognormalSamples({ seed: level, n, medianNs: level, sigma: 0.02 });
  const result = buildResult({ mode, samples, loopCostNs: 0 });
  const row = { ...result, caseKey: '', caseId: 1 } as unknown as ResultRow;
  return { label, runId: 'r', mode: { id: mode, mode: mode.endsWith('/gil') ? 'gil' : 'nogil' }, results: [row] };
}

const pools: Array<ReturnType<typeof createComputePool>> = [];
afterAll(async () => {
  for (const p of pools) await p.close();
});

describe('createComputePool()', () => {
  it('answers exactly what compareSides answers, as JSON text', async () => {
    const pool = createComputePool({ threads: 1 });
    pools.push(pool);
    const a = side('gil', 'cpython-3.13.5/gil', 200, 1000);
    const b = side('nogil', 'cpython-3.13.5t/nogil', 200, 1300);
    expect(JSON.parse(await pool.compare(a, b))).toEqual(JSON.parse(JSON.stringify(compareSides(a, b))));
  }, 60_000);

  it('a task past its time budget is Overloaded, with when to retry, and the pool goes on', async () => {
    const pool = createComputePool({ threads: 1, timeoutMs: 20 });
    pools.push(pool);
    const a = side('gil', 'cpython-3.13.5/gil', 100_000, 1000);
    const b = side('nogil', 'cpython-3.13.5t/nogil', 100_000, 1300);
    const err = await pool.compare(a, b).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Overloaded);
    expect((err as Overloaded).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(pool.load()).toEqual({ running: 0, queued: 0 });
  }, 60_000);

  it('checks its options when made', () => {
    expect(() => createComputePool({ threads: 0 })).toThrow(RangeError);
    expect(() => createComputePool({ maxQueue: -1 })).toThrow(RangeError);
    expect(() => createComputePool({ timeoutMs: 0 })).toThrow(RangeError);
  });
});
