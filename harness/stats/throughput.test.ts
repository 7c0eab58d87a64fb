import { describe, expect, it } from 'vitest';
import { lognormalSamples } from '../test-support/index.ts';
import { type ThroughputInput, throughputAgainstGil } from './throughput.ts';

const GIL = 'cpython-3.13.5/gil';
const NOGIL = 'cpython-3.13.5t/nogil';

function result(
  mode: string,
  threads: number,
  medianNs: number,
  extra: Partial<ThroughputInput> = {},
): ThroughputInput {
  return {
    suite: 'scaling',
    benchmark: 'work',
    params: { threads },
    mode,
    modeKind: mode === GIL ? 'gil' : 'nogil',
    status: 'ok',
    samples: lognormalSamples({ seed: threads * 31 + medianNs, n: 40, medianNs, sigma: 0.01, outlierRate: 0 }),
    loopCostNs: 0,
    processes: 1,
    ...extra,
  };
}

describe('throughput against gil on one thread', () => {
  it('is n · t_gil(1) / t_mode(n), with a CI around it, and exactly 1 for gil on one thread', () => {
    // gil: 60 ns on 1 thread, 120 ns per thread at 2 (no gain). nogil: 100 ns on 1, 105 at 2.
    const curves = throughputAgainstGil([
      result(GIL, 1, 60),
      result(GIL, 2, 120),
      result(NOGIL, 1, 100),
      result(NOGIL, 2, 105),
    ]);
    const gil = curves.find((c) => c.mode === GIL)!;
    const nogil = curves.find((c) => c.mode === NOGIL)!;
    expect(gil.points[0]).toEqual({ threads: 1, ratio: 1, ciLow: 1, ciHigh: 1 });
    expect(gil.points[1]!.ratio).toBeCloseTo(1, 1);
    // The finding of issue #16: nogil's self-relative speedup at 2 threads is ~1.9, yet it gets
    // only 2 · 60 / 105 ≈ 1.14 times the work of gil on one thread done.
    expect(nogil.points.map((p) => p.threads)).toEqual([1, 2]);
    expect(nogil.points[0]!.ratio).toBeCloseTo(0.6, 1);
    expect(nogil.points[1]!.ratio).toBeCloseTo(1.14, 1);
    for (const p of nogil.points) {
      expect(p.ciLow).toBeLessThan(p.ratio);
      expect(p.ciHigh).toBeGreaterThan(p.ratio);
      expect(p.ciHigh / p.ciLow).toBeLessThan(1.1);
    }
    expect(nogil.reference).toBe(GIL);
  });

  it('needs a gil 1-thread result of the same workload, and keeps workloads apart', () => {
    const other = (r: ThroughputInput) => ({ ...r, params: { ...r.params, lock: 'rlock' } });
    const curves = throughputAgainstGil([result(NOGIL, 1, 100), result(NOGIL, 2, 105), other(result(GIL, 1, 50))]);
    expect(curves.map((c) => [c.workload, c.mode])).toEqual([['scaling/work[lock=rlock]', GIL]]);
  });

  it('leaves out results without samples, failed ones and unthreaded ones', () => {
    const curves = throughputAgainstGil([
      result(GIL, 1, 60),
      result(NOGIL, 1, 100, { samples: undefined }),
      result(NOGIL, 2, 100, { status: 'error' }),
      result(NOGIL, 4, 100, { params: {} }),
    ]);
    expect(curves.map((c) => c.mode)).toEqual([GIL]);
  });

  it('refuses too few resamples early', () => {
    expect(() => throughputAgainstGil([], { resamples: 10 })).toThrow(/resamples must be an integer >= 100/);
  });
});
