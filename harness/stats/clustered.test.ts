import { expect, it, describe as suite } from 'vitest';
import { bootstrapMedianRatio } from './bootstrap.ts';
import { describe } from './describe.ts';

// 4 processes, 6 samples each, round-robin: process p sits at 100 + 4p with a tiny spread.
const clustered = Array.from({ length: 24 }, (_, i) => 100 + 4 * (i % 4) + ((i * 7) % 3) * 0.01);

suite('process-clustered samples', () => {
  it('widen the CI of the median to the spread between processes', () => {
    const naive = describe(clustered);
    const aware = describe(clustered, { processes: 4 });
    expect(aware.median).toBe(naive.median);
    expect(aware.ciHigh - aware.ciLow).toBeGreaterThan(naive.ciHigh - naive.ciLow);
    // per-process medians 100,104,108,112: sd 5.16, t(0.975, 3) = 3.182, half-width 8.2
    expect(aware.median - aware.ciLow).toBeCloseTo((3.182 * 5.164) / 2, 1);
  });

  it('leave the CI alone when every process agrees', () => {
    const flat = Array.from({ length: 24 }, (_, i) => 100 + (i % 5) * 0.1);
    expect(describe(flat, { processes: 4 })).toEqual(describe(flat));
  });

  it('make the bootstrap CI of a ratio wider than one that treats samples as independent', () => {
    const other = clustered.map((v) => v * 1.1);
    const naive = bootstrapMedianRatio(clustered, other);
    const aware = bootstrapMedianRatio(clustered, other, { processes: { base: 4, other: 4 } });
    expect(aware.ciHigh - aware.ciLow).toBeGreaterThan(2 * (naive.ciHigh - naive.ciLow));
    expect(aware.ciLow).toBeLessThan(1.1);
    expect(aware.ciHigh).toBeGreaterThan(1.1);
  });
});
