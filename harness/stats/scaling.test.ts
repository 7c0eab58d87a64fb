import { describe, expect, it } from 'vitest';
import type { Result } from '../schema.ts';
import { buildResult } from '../test-support/index.ts';
import { describe as describeStats } from './describe.ts';
import { formatScalingTable, scalingCurves } from './scaling.ts';

function result(threads: number, mode: string, nsPerOp: number): Result {
  // Deterministic spread of +-1% around the value.
  const samples = Array.from({ length: 20 }, (_, i) => nsPerOp * (1 + ((i % 5) - 2) / 200));
  return buildResult({
    suite: 'scaling',
    benchmark: 'spin',
    params: { threads, shared: false },
    mode,
    samples,
    loopCostNs: 0,
    loops: 10,
    processes: 2,
    stats: describeStats(samples),
    gil: { afterLoad: false, afterRun: false },
    wallMs: 1,
  });
}

describe('scalingCurves', () => {
  it('computes weak-scaling speedup N*T(1)/T(N) per workload and mode', () => {
    const curves = scalingCurves({
      results: [result(1, 'gil', 100), result(2, 'gil', 200), result(1, 'nogil', 150), result(2, 'nogil', 150)],
    });
    const gil = curves.find((c) => c.mode === 'gil')!;
    const nogil = curves.find((c) => c.mode === 'nogil')!;
    expect(gil.params).toEqual({ shared: false });
    expect(gil.points.map((p) => p.threads)).toEqual([1, 2]);
    expect(gil.points[1]!.speedup).toBeCloseTo(1, 6); // twice the time for twice the work: no scaling
    expect(nogil.points[1]!.speedup).toBeCloseTo(2, 6); // same time for twice the work: ideal
    expect(nogil.points[1]!.efficiency).toBeCloseTo(1, 6);
    expect(nogil.points[1]!.ciLow).toBeLessThanOrEqual(2);
    expect(nogil.points[1]!.ciHigh).toBeGreaterThanOrEqual(2);
  });

  it('skips workloads without a 1-thread baseline and non-threaded results', () => {
    const noBase = result(2, 'gil', 100);
    const unthreaded = { ...result(1, 'gil', 100), params: {} };
    expect(scalingCurves({ results: [noBase, unthreaded] })).toEqual([]);
  });

  it('formats one row per workload and a column per mode and thread count', () => {
    const text = formatScalingTable(
      scalingCurves({
        results: [result(1, 'gil', 100), result(2, 'gil', 200), result(1, 'nogil', 150), result(2, 'nogil', 150)],
      }),
    );
    expect(text).toContain('gil N=2');
    expect(text).toMatch(/scaling\/spin\[shared=false\]\s+1\.00×\s+2\.00×/);
  });
});
