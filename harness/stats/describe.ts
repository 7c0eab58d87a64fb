/**
 * `describe()`: the statistics of one result (schema's `Stats`).
 */
import type { Stats } from '../schema.ts';
import { studentTQuantile } from './distributions.ts';
import { medianCiRanks } from './median-ci.ts';
import { mean, quantileSorted, sampleSd, sortedCopy } from './summary.ts';
import { DESCRIBE_DEFAULTS, type DescribeOptions } from './types.ts';

/**
 * Statistics of `values`: n, mean, median, min, max, sample SD and a 95% CI of
 * the median from order statistics (distribution-free; see median-ci.ts).
 * With fewer than 6 values no such CI exists and [min, max] is returned
 * (`assessStability` then warns "too few samples").
 *
 * `margin` = max(median - ciLow, ciHigh - median) / max(|median|, marginFloor):
 * the CI's larger half-width relative to the median, but never relative to
 * less than `marginFloor` (default 1, i.e. 1 ns), so a median near 0 does not
 * make it explode.
 *
 * @example
 * describe([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]).median // 14.5, CI [11, 18]
 */
export function describe(values: readonly number[], opts: DescribeOptions = {}): Stats {
  const marginFloor = opts.marginFloor ?? DESCRIBE_DEFAULTS.marginFloor;
  if (!(marginFloor > 0 && Number.isFinite(marginFloor))) {
    throw new RangeError(`marginFloor must be a finite number > 0, got ${marginFloor}`);
  }
  if (values.length === 0) throw new RangeError('describe() needs at least one value');
  if (!values.every(Number.isFinite)) throw new RangeError('describe() got a value that is not a finite number');

  const sorted = sortedCopy(values);
  const n = sorted.length;
  const median = quantileSorted(sorted, 0.5);
  const min = sorted[0]!;
  const max = sorted[n - 1]!;
  const ranks = medianCiRanks(n);
  let ciLow = ranks ? sorted[ranks.lower - 1]! : min;
  let ciHigh = ranks ? sorted[ranks.upper - 1]! : max;
  const between = betweenProcessHalfWidth(values, opts.processes ?? 1);
  if (between !== null) {
    ciLow = Math.min(ciLow, median - between);
    ciHigh = Math.max(ciHigh, median + between);
  }
  const halfWidth = Math.max(median - ciLow, ciHigh - median);
  return {
    n,
    mean: mean(sorted),
    median,
    min,
    max,
    sd: sampleSd(sorted),
    ciLow,
    ciHigh,
    margin: halfWidth / Math.max(Math.abs(median), marginFloor),
  };
}

/**
 * Half-width of a 95% t-interval on the per-process medians, or null when
 * there is one process or fewer than two samples per process. Samples of one
 * process share its address layout and hash seed, so they are not independent:
 * the order-statistic CI alone would be too narrow, and a rerun would land
 * outside it far more often than 5% of the time.
 */
function betweenProcessHalfWidth(values: readonly number[], processes: number): number | null {
  if (!(Number.isInteger(processes) && processes >= 2) || values.length < 2 * processes) return null;
  const groups: number[][] = Array.from({ length: processes }, () => []);
  values.forEach((v, i) => {
    groups[i % processes]!.push(v);
  });
  const medians = groups.map((g) => quantileSorted(sortedCopy(g), 0.5));
  return (studentTQuantile(0.975, processes - 1) * sampleSd(medians)) / Math.sqrt(processes);
}

/**
 * `describe()` of raw samples minus the loop cost, as a result's `stats`.
 * The margin is taken relative to at least the loop cost: the timer measured
 * `median + loopCostNs`, so an empty body is judged by how precisely that was
 * timed rather than by a relative error of its near-zero difference.
 *
 * @example
 * const stats = describeAfterLoopCost(result.samples, result.loopCostNs);
 */
export function describeAfterLoopCost(
  samples: readonly number[],
  loopCostNs: number,
  opts: DescribeOptions = {},
): Stats {
  if (!(loopCostNs >= 0 && Number.isFinite(loopCostNs))) {
    throw new RangeError(`loopCostNs must be a finite number >= 0, got ${loopCostNs}`);
  }
  const marginFloor = Math.max(opts.marginFloor ?? DESCRIBE_DEFAULTS.marginFloor, loopCostNs);
  return describe(
    samples.map((s) => s - loopCostNs),
    { ...opts, marginFloor },
  );
}
