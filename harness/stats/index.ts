/**
 * Statistics of results and comparisons between modes.
 * @example
 * import { describeAfterLoopCost, assessStability, compareRun } from '../stats/index.ts';
 */
export { type BootstrapOptions, type BootstrapRatioCi, bootstrapMedianRatio, medianInPlace } from './bootstrap.ts';
export { compareResults, compareSamples } from './compare.ts';
export { describe, describeAfterLoopCost } from './describe.ts';
export { binomialCdf, normalCdf, normalQuantile, studentTCdf, studentTQuantile } from './distributions.ts';
export { geometricMean, type RatioWithCi } from './geomean.ts';
export {
  callsHeadline,
  comparedForHeadlines,
  geometricMeanOf,
  type Headline,
  type HeadlineInput,
  type HeadlineRow,
  headlineModes,
  locksHeadline,
  memoryRatio,
  overheadHeadline,
  type RunHeadlines,
  runHeadlines,
  scalingHeadline,
} from './headlines.ts';
export { LOCK_KINDS, LOCK_LABELS, type LockCost, type LockHeadline, lockCosts, lockHeadlines } from './lock-costs.ts';
export { type MannWhitneyResult, mannWhitneyU } from './mann-whitney.ts';
export { type MedianCiRanks, medianCiRanks } from './median-ci.ts';
export { createRng } from './prng.ts';
export { formatRunComparison, type ReportOptions } from './report.ts';
export { BaseModeError, type CompareRunOptions, compareRun, resolveBaseMode } from './run-comparison.ts';
export { formatScalingTable, type ScalingCurve, type ScalingPoint, scalingCurves } from './scaling.ts';
export { assessStability, MIN_SAMPLES_FOR_CI } from './stability.ts';
export { mean, median, quantile, quantileSorted, sampleSd, sortedCopy } from './summary.ts';
export { type ThroughputCurve, type ThroughputPoint, throughputAgainstGil } from './throughput.ts';
export * from './types.ts';
