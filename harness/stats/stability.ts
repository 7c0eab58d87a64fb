/**
 * Loud warnings about results that should not be trusted as they are.
 */

import { formatPercent } from '../format/index.ts';
import type { Stats, Warning } from '../schema.ts';
import type { StabilityOptions } from './types.ts';

/** Below this many samples no 95% order-statistic CI of the median exists. */
export const MIN_SAMPLES_FOR_CI = 6;

const MORE_SAMPLES_HINT = 'use --profile rigorous for more samples';

/**
 * Warnings for a result's statistics: `too-few-samples` when `n` is below
 * `minSamples` (or below 6, where the CI is just [min, max]), and `unstable`
 * when the CI's relative half-width exceeds `maxMargin`.
 * @example
 * assessStability(stats, { maxMargin: 0.02, minSamples: 10 });
 * // [{ code: 'unstable', message: '±4.1% exceeds ±2% — results vary; close other programs or use --profile rigorous' }]
 */
export function assessStability(stats: Stats, opts: StabilityOptions): Warning[] {
  if (!(opts.maxMargin > 0 && Number.isFinite(opts.maxMargin))) {
    throw new RangeError(`maxMargin must be a finite number > 0, got ${opts.maxMargin}`);
  }
  if (!(Number.isInteger(opts.minSamples) && opts.minSamples >= 1)) {
    throw new RangeError(`minSamples must be a whole number >= 1, got ${opts.minSamples}`);
  }
  const warnings: Warning[] = [];
  const needed = Math.max(opts.minSamples, MIN_SAMPLES_FOR_CI);
  if (stats.n < needed) {
    const why =
      stats.n < MIN_SAMPLES_FOR_CI
        ? 'the 95% interval is only [min, max]'
        : `at least ${needed} are needed for a trustworthy interval`;
    warnings.push({
      code: 'too-few-samples',
      message: `too few samples: ${stats.n} (${why}); ${MORE_SAMPLES_HINT}`,
    });
  }
  if (stats.margin > opts.maxMargin) {
    warnings.push({
      code: 'unstable',
      message: `±${formatPercent(stats.margin)} exceeds ±${formatPercent(opts.maxMargin)} — results vary; close other programs or use --profile rigorous`,
    });
  }
  return warnings;
}
