/**
 * Mann-Whitney U test (Wilcoxon rank-sum): do two samples come from the same
 * distribution? Rank-based, so the outliers of a shared machine cannot drive it.
 */
import { normalCdf } from './distributions.ts';

export interface MannWhitneyResult {
  /** U of the first sample: the number of pairs (a, b) with a > b, ties counting 1/2. */
  u: number;
  /** Standardized U with continuity and tie corrections (0 when every value is tied). */
  z: number;
  /** Two-sided p-value from the normal approximation. */
  pValue: number;
}

/**
 * Two-sided Mann-Whitney U test, normal approximation with a continuity
 * correction and the tie-corrected variance
 * σ² = n₁n₂/12 · ((N + 1) − Σ(t³ − t) / (N(N − 1))).
 * @example
 * mannWhitneyU([19, 22, 16, 29, 24], [20, 11, 17, 12]) // { u: 17, pValue: ≈ 0.1113, ... }
 */
export function mannWhitneyU(a: readonly number[], b: readonly number[]): MannWhitneyResult {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('Mann-Whitney U needs samples on both sides');
  const all = [...a.map((value) => ({ value, first: true })), ...b.map((value) => ({ value, first: false }))];
  all.sort((x, y) => x.value - y.value);

  const total = all.length;
  let rankSumFirst = 0;
  let tieTerm = 0;
  for (let start = 0; start < total; ) {
    let end = start + 1;
    while (end < total && all[end]!.value === all[start]!.value) end++;
    // Tied values share the mean of ranks start+1 .. end.
    const rank = (start + 1 + end) / 2;
    for (let i = start; i < end; i++) if (all[i]!.first) rankSumFirst += rank;
    const ties = end - start;
    tieTerm += ties ** 3 - ties;
    start = end;
  }

  const u = rankSumFirst - (n1 * (n1 + 1)) / 2;
  const meanU = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (total + 1 - tieTerm / (total * (total - 1)));
  if (!(variance > 0)) return { u, z: 0, pValue: 1 };
  const distance = Math.max(Math.abs(u - meanU) - 0.5, 0);
  const z = (Math.sign(u - meanU) * distance) / Math.sqrt(variance);
  return { u, z, pValue: Math.min(1, 2 * normalCdf(-Math.abs(z))) };
}
