import { describe, expect, it } from 'vitest';
import { geometricMeanOf, linesOver, memoryRatio, scalingGroups, workloadKey, worstScaling } from './analysis.ts';
import type { ResultRow } from './api.ts';

function row(
  benchmark: string,
  params: ResultRow['params'],
  mode: string,
  median: number,
  rss: number | null = null,
): ResultRow {
  return {
    suite: 'scaling',
    benchmark,
    params,
    mode,
    status: 'ok',
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
    peakRssBytes: rss,
    warnings: [],
    error: null,
  };
}

describe('scalingGroups', () => {
  it('computes weak-scaling speedup n·t(1)/t(n) and efficiency t(1)/t(n) per mode', () => {
    const groups = scalingGroups([
      row('arith', { threads: 1 }, 'm/nogil', 100),
      row('arith', { threads: 2 }, 'm/nogil', 125),
      row('arith', { threads: 1 }, 'm/gil', 100),
      row('arith', { threads: 2 }, 'm/gil', 200),
    ]);
    const nogil = groups.find((g) => g.mode === 'm/nogil')!;
    expect(nogil.points.map((p) => p.speedup)).toEqual([1, 1.6]);
    expect(nogil.points[1]!.efficiency).toBeCloseTo(0.8);
    expect(groups.find((g) => g.mode === 'm/gil')!.points[1]!.speedup).toBe(1);
  });

  it('keeps other parameters apart and drops groups without a 1-thread result or with failed results', () => {
    const failed = { ...row('read', { threads: 1, lock: 'rlock' }, 'm/gil', 5), status: 'error' as const };
    const groups = scalingGroups([
      row('read', { threads: 1, lock: 'none' }, 'm/gil', 10),
      row('read', { threads: 2, lock: 'none' }, 'm/gil', 10),
      failed,
      row('read', { threads: 2, lock: 'rlock' }, 'm/gil', 30),
      row('solo', { threads: 2 }, 'm/gil', 30),
    ]);
    expect(groups.map((g) => workloadKey(g.suite, g.benchmark, g.params))).toEqual(['scaling/read[lock=none]']);
  });

  it('orders workloads worst first', () => {
    const groups = scalingGroups([
      row('a', { threads: 1 }, 'x', 10),
      row('a', { threads: 4 }, 'x', 20),
      row('b', { threads: 1 }, 'x', 10),
      row('b', { threads: 4 }, 'x', 40),
    ]);
    expect(worstScaling(groups).map((w) => [w.benchmark, w.efficiency, w.threads])).toEqual([
      ['b', 0.25, 4],
      ['a', 0.5, 4],
    ]);
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
