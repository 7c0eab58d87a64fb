import { describe, expect, it } from 'vitest';
import { caseKey } from '../../harness/case-key.ts';
import { buildResult } from '../../harness/test-support/index.ts';
import {
  efficiencyAt,
  geometricMeanOf,
  hasScaling,
  linesOver,
  memoryRatio,
  workloadKey,
  worstScaling,
} from './analysis.ts';
import type { ResultRow, ScalingCurve } from './api.ts';

function row(
  benchmark: string,
  params: ResultRow['params'],
  mode: string,
  median: number,
  rss: number | null = null,
): ResultRow {
  return {
    ...buildResult({
      suite: 'scaling',
      benchmark,
      params,
      mode,
      loopCostNs: 0,
      processes: 10,
      peakRssBytes: rss,
      gil: { afterLoad: false, afterRun: false },
      wallMs: 2000,
    }),
    id: 1,
    seriesId: 1,
    caseKey: caseKey(params),
    caseId: `scaling/${benchmark}`,
    modeKind: mode.endsWith('nogil') ? 'nogil' : 'gil',
    stats: {
      n: 10,
      mean: median,
      median,
      min: median,
      max: median,
      sd: 0,
      ciLow: median * 0.9,
      ciHigh: median * 1.1,
      margin: 0.1,
    },
  };
}

function curve(benchmark: string, mode: string, byThreads: Record<number, number>): ScalingCurve {
  const t1 = byThreads[1]!;
  return {
    suite: 'scaling',
    benchmark,
    params: {},
    mode,
    points: Object.entries(byThreads).map(([n, median]) => {
      const threads = Number(n);
      const efficiency = t1 / median;
      return { threads, medianNs: median, speedup: threads * efficiency, ciLow: 0, ciHigh: 0, efficiency };
    }),
  };
}

describe('worstScaling and efficiencyAt', () => {
  it('orders workloads worst first by efficiency at their most threads', () => {
    const curves = [curve('a', 'x', { 1: 10, 4: 20 }), curve('b', 'x', { 1: 10, 4: 40 }), curve('c', 'x', { 1: 10 })];
    expect(worstScaling(curves).map((w) => [w.benchmark, w.efficiency, w.threads])).toEqual([
      ['b', 0.25, 4],
      ['a', 0.5, 4],
    ]);
    expect(hasScaling([curve('c', 'x', { 1: 10 })])).toBe(false);
  });

  it('summarises one mode at one thread count, leaving out workloads without that point', () => {
    const curves = [
      curve('a', 'm/nogil', { 1: 10, 2: 10 }),
      curve('b', 'm/nogil', { 1: 10, 2: 40 }),
      curve('c', 'm/nogil', { 1: 10 }),
      curve('a', 'm/gil', { 1: 10, 2: 20 }),
    ];
    expect(efficiencyAt(curves, 'm/nogil', 2)).toEqual({ value: 0.5, count: 2 });
    expect(efficiencyAt(curves, 'm/gil', 4)).toEqual({ value: null, count: 0 });
    expect(workloadKey('locks', 'read', { threads: 2, lock: 'rlock' })).toBe('locks/read[lock=rlock]');
  });
});

describe('memoryRatio and geometricMeanOf', () => {
  it('takes the geometric mean of per-case peak RSS ratios, skipping cases missing a side', () => {
    const results = [
      row('a', {}, 'g', 1, 100),
      row('a', {}, 'n', 1, 400),
      row('b', {}, 'g', 1, 100),
      row('b', {}, 'n', 1, 100),
      row('c', {}, 'g', 1, 50),
    ];
    expect(memoryRatio(results, 'g', 'n')).toEqual({ value: 2, count: 2 });
    expect(geometricMeanOf([])).toBeNull();
    expect(geometricMeanOf([0.5, 2])).toBeCloseTo(1);
  });
});

describe('linesOver', () => {
  it('makes one sorted line per mode and other parameters', () => {
    const lines = linesOver(
      [
        row('call', { arity: 4 }, 'm/gil', 40),
        row('call', { arity: 0 }, 'm/gil', 20),
        row('call', { arity: 0 }, 'm/nogil', 30),
      ],
      'arity',
    );
    expect(lines).toHaveLength(2);
    expect(lines.find((l) => l.mode === 'm/gil')!.points.map((p) => [p.x, p.y])).toEqual([
      [0, 20],
      [4, 40],
    ]);
  });
});
