/**
 * A run's point in its series, computed from the stored samples: the level
 * the detector reads and the within-run error of that level.
 */
import { medianCiRanks } from '../../harness/stats/median-ci.ts';
import type { SeriesPoint } from './detector.ts';

const CI_Z = 1.959963984540054;
// Results have few distinct sample counts; the binomial search behind the ranks is worth keeping.
const ranksBySize = new Map<number, ReturnType<typeof medianCiRanks>>();
function ranksOf(n: number): ReturnType<typeof medianCiRanks> {
  let ranks = ranksBySize.get(n);
  if (ranks === undefined) {
    ranks = medianCiRanks(n);
    if (ranksBySize.size < 10_000) ranksBySize.set(n, ranks);
  }
  return ranks;
}

/**
 * Median of `samples - loopCostNs` and its relative standard error (from the
 * distribution-free 95% CI of the median; 0 with fewer than 6 samples).
 * Null when there are no samples or the level is not above 0 (a body too
 * small to tell from the loop cost has no place on a log scale).
 * @example pointFromSamples([10, 11, 12, 13, 14, 15, 16], 2) // { level: 11, rse: ... }
 */
export function pointFromSamples(samples: ArrayLike<number>, loopCostNs = 0): SeriesPoint | null {
  const n = samples.length;
  if (n === 0) return null;
  // The array-like constructor copies in one pass; Float64Array.from walks an iterator.
  const sorted = new Float64Array(samples).sort();
  const mid = n >> 1;
  const level = (n % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2) - loopCostNs;
  if (!(level > 0 && Number.isFinite(level))) return null;
  const ranks = ranksOf(n);
  const rse = ranks ? (sorted[ranks.upper - 1]! - sorted[ranks.lower - 1]!) / (2 * CI_Z * level) : 0;
  return { level, rse };
}
