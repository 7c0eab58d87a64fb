/**
 * Public types of the statistics area, with their defaults in one place.
 * `Stats` itself lives in the run-document schema (harness/schema.ts); the
 * comparison types below are derived data and never stored in a run document.
 */
import type { CaseParams, ModeName, Stats } from '../schema.ts';

/** Options of `describe()`. */
export interface DescribeOptions {
  /**
   * The smallest denominator for `margin`, in the values' unit (default 1, i.e. 1 ns).
   * `margin` is the CI half-width over `max(|median|, marginFloor)`, so a median
   * near 0 (an empty body after the loop cost is subtracted) gives a margin
   * relative to the floor instead of one that explodes. Callers that subtracted
   * a loop cost pass that loop cost (see `describeAfterLoopCost`).
   */
  marginFloor?: number;
  /**
   * Samples were taken round-robin over this many worker processes (sample i
   * from process i mod processes). Process-level noise (address layout, hash
   * seeds) makes samples of one process alike, so the CI is widened to cover
   * the spread between processes (see `describe`).
   */
  processes?: number;
}

export const DESCRIBE_DEFAULTS = { marginFloor: 1 } as const;

/** Bounds of `assessStability()`: both required, there is no one-size default. */
export interface StabilityOptions {
  /** Largest acceptable `Stats.margin` (0.02 = ±2%). */
  maxMargin: number;
  /** Fewest samples for a trustworthy result; below 6 no 95% order-statistic CI exists at all. */
  minSamples: number;
}

/** Options of `compareSamples()` / `compareResults()`. */
export interface CompareOptions {
  /** Bootstrap resamples for the ratio's CI (default 2000). */
  resamples?: number;
  /** Seed of the bootstrap's PRNG: equal inputs give equal outputs (default 0x5eed). */
  seed?: number;
  /** Significance level of the test and 1 - confidence of the CI (default 0.05). */
  alpha?: number;
  /**
   * Loop cost (ns per operation) already subtracted from each side's samples
   * (default 0 for both). A median at or below `ZERO_NOISE_FRACTION` of its loop
   * cost is "within noise of 0": the loop cost is itself measured with a few
   * percent of noise, so a body that small cannot be told from nothing.
   */
  loopCostNs?: { base: number; other: number };
  /** Worker processes each side's samples came from, round-robin (default 1: independent samples). */
  processes?: { base: number; other: number };
}

export const COMPARE_DEFAULTS = { resamples: 2000, seed: 0x5eed, alpha: 0.05 } as const;

/** Fraction of the loop cost below which a median counts as indistinguishable from 0. */
export const ZERO_NOISE_FRACTION = 0.05;

/** One case compared between two modes: time ratio `other / base` (> 1: other is slower). */
export interface Comparison {
  /** median(other) / median(base); null when it would mean nothing (see `reason`). */
  ratio: number | null;
  /** 95% bootstrap CI of the ratio (percentile method on medians). */
  ciLow: number | null;
  ciHigh: number | null;
  /** Two-sided Mann-Whitney U p-value; null when a side has no samples. */
  pValue: number | null;
  /** p < alpha and the CI excludes 1. */
  significant: boolean;
  /** Why `ratio` is null (or why the case was not compared at all). */
  reason: string | null;
  /** Statistics of each side's samples (after the loop cost); null when not measured. */
  base: Stats | null;
  other: Stats | null;
}

/** Geometric mean of several ratios with a 95% CI and the spread between benchmarks. */
export interface GeometricMean {
  value: number;
  ciLow: number;
  ciHigh: number;
  /** Ratios combined. */
  count: number;
  /** Comparisons left out because their ratio was null. */
  skipped: number;
  /** exp(sample SD of the log ratios): 1.0× when every benchmark moved alike (1 for one ratio). */
  geometricSd: number;
  /** Smallest and largest ratio combined. */
  min: number;
  max: number;
}

export interface ModeRef {
  id: string;
  mode: ModeName;
}

/** One case of one suite: base mode vs one other mode. */
export interface CaseComparison {
  suite: string;
  benchmark: string;
  params: CaseParams;
  /** `suite/benchmark[params]` (schema's `caseId`). */
  caseId: string;
  comparison: Comparison;
}

/** All cases of one suite for one other mode, with their geometric mean. */
export interface ModeSuiteComparison {
  other: ModeRef;
  rows: CaseComparison[];
  /** Over the rows with a ratio; null when none has one. */
  geometricMean: GeometricMean | null;
  /**
   * The same per benchmark category (the suite's `category`), in the order the suite lists them;
   * absent when the suite gives no categories.
   */
  categories?: CategoryMean[];
}

/** The geometric mean of one category's rows, e.g. the `objects` kernels of the single-thread suite. */
export interface CategoryMean {
  category: string;
  geometricMean: GeometricMean | null;
}

export interface SuiteComparison {
  suite: string;
  byMode: ModeSuiteComparison[];
}

/**
 * Something to know about the run beyond the tables: modes that computed different things, a nogil result
 * the GIL made invalid (`gil-reenabled`), a nogil-forced result an extension would have put under the GIL.
 */
export interface RunProblem {
  kind: 'checksum-mismatch' | 'duplicate-result' | 'gil-reenabled' | 'gil-forced-off';
  caseId: string;
  message: string;
  /** Mode id -> checksum, for `checksum-mismatch`. */
  checksums?: Record<string, string>;
}

/** Every other mode of a run compared with the base mode, suite by suite. */
export interface RunComparison {
  runId: string;
  profile: string;
  base: ModeRef;
  others: ModeRef[];
  suites: SuiteComparison[];
  problems: RunProblem[];
}

/**
 * A result as the server stores and serves it (the API's result row), as far
 * as the headline statistics read it; `samples` only when they were asked for.
 * The server's rows and the dashboard's both fit, so both compute one way.
 */
export interface StoredResultLike {
  suite: string;
  benchmark: string;
  params: CaseParams;
  /** The mode's id, e.g. `cpython-3.13.5t/nogil`. */
  mode: string;
  modeKind: ModeName;
  status: 'ok' | 'error' | 'invalid';
  samples?: readonly number[];
  loopCostNs: number;
  processes: number;
  stats: Stats | null;
  peakRssBytes: number | null;
}
