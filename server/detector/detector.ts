/**
 * Regression detection: a robust level-shift test on one series.
 *
 * The input is one point per run: the run's level (median of its samples
 * minus the loop cost, in ns) and the relative standard error of that median
 * from the samples' order statistics (see point.ts). The series may already
 * be cut into segments by changes found earlier (`boundaries`). The decision:
 *
 * 1. Noise comes from the series itself. Run-to-run noise (address layout,
 *    machine state, frequency) is usually far larger than what one run's
 *    samples show, so the scale is the spread of the runs before a candidate
 *    change around their own segment's level: a trimmed SD, which drops the
 *    odd disturbed run but, unlike the MAD, still sees a second mode (runs
 *    that land in a slow state). The within-run error is a floor under it.
 * 2. A change needs a shift of at least `minEffect` and a z-score of the
 *    shift against that noise beyond Student's t quantile 1 - `alpha` (with
 *    the noise estimate's degrees of freedom, so little history asks for a
 *    bigger shift); at least two runs after it, most of them past the
 *    midpoint between the old and new level (one disturbed run is never a
 *    change); and a newest run that agrees with the new level.
 * 3. The candidate with the largest z-score wins. It names the first run
 *    after the change and reports the size with a 95% CI and a confidence.
 *
 * Everything is computed on the log scale, where a ×1.05 step has the same
 * size at 100 ns and at 1 ms.
 *
 * @example
 * const detector = createDetector();
 * const change = detector.detect(points); // null, or { index, kind, change, ciLow, ciHigh, ... }
 */
import { medianInPlace } from '../../harness/stats/bootstrap.ts';
import { normalQuantile, studentTCdf, studentTQuantile } from '../../harness/stats/distributions.ts';

/** One run's point in a series. */
export interface SeriesPoint {
  /** Median of the run's samples minus the loop cost, ns per operation (> 0). */
  level: number;
  /** Relative standard error of that median from the samples (0 when unknown). */
  rse: number;
}

export interface DetectorOptions {
  /** Smallest relative change worth reporting (0.01 = 1%). */
  minEffect: number;
  /**
   * Significance of one test (one-sided): the shift's z-score must reach
   * Student's t quantile 1 - alpha with the noise estimate's degrees of freedom.
   */
  alpha: number;
  /** Fewest runs in the series' history the noise can be estimated from. */
  minNoise: number;
  /** Most runs before a change used for the noise (the noise is steadier than the level). */
  maxNoise: number;
  /** Fewest runs of the current segment before a change (its level must be known). */
  minBefore: number;
  /** Most runs before a change used for the level before it. */
  maxBefore: number;
  /** Fewest runs after a change (1 would make every disturbed run a change). */
  minAfter: number;
  /** Most runs after a change that are still searched for it. */
  maxAfter: number;
  /** Fraction trimmed from each end for trimmed means and SDs (at least one value from 6 values on). */
  trim: number;
  /** Fraction of the runs after a change that must sit past the midpoint of the shift. */
  consistency: number;
}

export const DETECTOR_DEFAULTS: Readonly<DetectorOptions> = Object.freeze({
  minEffect: 0.01,
  alpha: 1e-4,
  minNoise: 8,
  maxNoise: 60,
  minBefore: 5,
  maxBefore: 30,
  minAfter: 2,
  maxAfter: 20,
  trim: 0.1,
  consistency: 0.75,
});

/** A level shift found in a series. */
export interface DetectedChange {
  /** Index (into the points given) of the first run after the change. */
  index: number;
  /** `regression`: slower after the change; `improvement`: faster. */
  kind: 'regression' | 'improvement';
  /** Relative change of the level: 0.05 = 5% slower, -0.05 = 5% faster. */
  change: number;
  /** 95% CI of `change`. */
  ciLow: number;
  ciHigh: number;
  /** 1 - one-sided p-value of the shift under the series' noise. */
  confidence: number;
  /** The z-score of the shift (the decision statistic). */
  score: number;
  /** Levels before and after the change, ns per operation. */
  before: number;
  after: number;
  /** Run-to-run noise used (relative SD of one run's level). */
  noise: number;
  beforeCount: number;
  afterCount: number;
}

export interface DetectInput {
  /**
   * Indices where changes found earlier start (ascending). Runs before the
   * last one only inform the noise; a new change is searched after it.
   */
  boundaries?: readonly number[];
  /** Indices that must not be reported (changes a person marked as ignored). */
  skip?: ReadonlySet<number>;
}

/** Finds the most significant new change in a series. */
export interface Detector {
  /** Name and version of the method, stored with each change it reports. */
  readonly method: string;
  readonly options: Readonly<DetectorOptions>;
  /** The strongest change among the last `maxAfter` points after the last boundary, or null. */
  detect(points: readonly SeriesPoint[], input?: DetectInput): DetectedChange | null;
}

// Asymptotic variance of a sample median relative to a mean's, for normal data.
const MEDIAN_VARIANCE_FACTOR = Math.PI / 2;
// Candidates share a noise estimate in groups of this many runs.
const NOISE_ANCHOR_STEP = 4;
// How far (in runs) the change may be moved from the best-scoring split when it is located.
const LOCATE_RADIUS = 5;
// Below this relative noise the log scale runs out of meaningful digits.
const NOISE_FLOOR = 1e-4;

/**
 * A detector with the given options (checked here, so a mistake throws at creation).
 * @example
 * const strict = createDetector({ minEffect: 0.02 });
 */
export function createDetector(options: Partial<DetectorOptions> = {}): Detector {
  const opts: DetectorOptions = { ...DETECTOR_DEFAULTS, ...options };
  checkOptions(opts);
  return {
    method: `robust-shift/v1 alpha=${opts.alpha} min=${opts.minEffect}`,
    options: Object.freeze(opts),
    detect: (points, input = {}) => detectShift(points, opts, input),
  };
}

function checkOptions(o: DetectorOptions): void {
  const whole = (v: number, min: number) => Number.isInteger(v) && v >= min;
  if (!(o.minEffect > 0 && o.minEffect < 1)) throw new RangeError(`minEffect must be in (0, 1), got ${o.minEffect}`);
  if (!(o.alpha > 0 && o.alpha < 0.5)) throw new RangeError(`alpha must be in (0, 0.5), got ${o.alpha}`);
  if (!whole(o.minNoise, 3)) throw new RangeError(`minNoise must be a whole number >= 3, got ${o.minNoise}`);
  if (!whole(o.minBefore, 1)) throw new RangeError(`minBefore must be a whole number >= 1, got ${o.minBefore}`);
  if (!whole(o.maxBefore, o.minBefore)) throw new RangeError(`maxBefore must be >= minBefore, got ${o.maxBefore}`);
  if (!whole(o.maxNoise, Math.max(o.minNoise, o.maxBefore))) {
    throw new RangeError(`maxNoise must be >= minNoise and maxBefore, got ${o.maxNoise}`);
  }
  if (!whole(o.minAfter, 1)) throw new RangeError(`minAfter must be a whole number >= 1, got ${o.minAfter}`);
  if (!whole(o.maxAfter, o.minAfter)) throw new RangeError(`maxAfter must be >= minAfter, got ${o.maxAfter}`);
  if (!(o.trim >= 0 && o.trim < 0.5)) throw new RangeError(`trim must be in [0, 0.5), got ${o.trim}`);
  if (!(o.consistency > 0.5 && o.consistency <= 1)) {
    throw new RangeError(`consistency must be in (0.5, 1], got ${o.consistency}`);
  }
}

function detectShift(points: readonly SeriesPoint[], o: DetectorOptions, input: DetectInput): DetectedChange | null {
  const n = points.length;
  const boundaries = input.boundaries ?? [];
  const segmentStart = boundaries.length ? boundaries[boundaries.length - 1]! : 0;
  if (!(segmentStart >= 0 && segmentStart <= n)) throw new RangeError(`boundary ${segmentStart} is outside the series`);
  const firstK = Math.max(segmentStart + o.minBefore, n - o.maxAfter, o.minNoise);
  if (firstK > n - o.minAfter) return null;

  const logs: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const level = points[i]!.level;
    if (!(level > 0 && Number.isFinite(level)))
      throw new RangeError(`point ${i} has level ${level}; levels must be > 0`);
    logs[i] = Math.log(level);
  }
  const minShift = Math.log1p(o.minEffect);
  // The noise of candidate k comes from the runs before an anchor at or before k, so it never
  // contains the change being tested. Anchors every NOISE_ANCHOR_STEP runs back from the newest
  // candidate: a few noise estimates per call instead of one per candidate.
  const lastK = n - o.minAfter;
  const noiseAt = new Map<number, { noise: number; df: number } | null>();
  // The within-run floor, from every run the noise may use (only once a candidate needs a noise).
  let withinRun = -1;
  const noiseFor = (k: number) => {
    const anchor = Math.max(firstK, lastK - Math.ceil((lastK - k) / NOISE_ANCHOR_STEP) * NOISE_ANCHOR_STEP);
    const known = noiseAt.get(anchor);
    if (known !== undefined) return known;
    const from = Math.max(0, anchor - o.maxNoise);
    const spread = pooledScale(logs, boundaries, from, anchor, o.trim);
    if (spread && withinRun < 0) withinRun = withinRunNoise(points, Math.max(0, firstK - o.maxNoise), n);
    const value = spread && {
      noise: Math.max(spread.sd, withinRun, NOISE_FLOOR),
      df: spread.df,
    };
    noiseAt.set(anchor, value);
    return value;
  };

  /** The candidate change starting at k, or null when it fails a condition. */
  const candidate = (
    k: number,
    before: ArrayLike<number> = sortedSlice(logs, Math.max(segmentStart, k - o.maxBefore), k),
    after: ArrayLike<number> = sortedSlice(logs, k, n),
  ): DetectedChange | null => {
    if (input.skip?.has(k)) return null;
    const m = n - k;
    const locBefore = location(before, o.trim);
    const locAfter = location(after, o.trim);
    const shift = locAfter.value - locBefore.value;
    if (Math.abs(shift) < minShift) return null;

    const estimate = noiseFor(k);
    if (estimate === null) return null;
    const { noise, df } = estimate;
    const se = noise * Math.sqrt(locBefore.variance + locAfter.variance);
    const score = Math.abs(shift) / se;
    const critical = criticalValue(o.alpha, df);
    if (score < critical) return null;

    // Most runs after the change must sit past the midpoint: one outlier does not make a step.
    const midpoint = locBefore.value + shift / 2;
    let past = 0;
    for (let i = 0; i < m; i++) if (shift > 0 ? after[i]! > midpoint : after[i]! < midpoint) past++;
    if (past < Math.ceil(o.consistency * m)) return null;
    // A newest run far from the new level may be the next change starting: decide one run later.
    if (m >= 3 && Math.abs(logs[n - 1]! - locAfter.value) > critical * noise) return null;

    const half = criticalValue(0.025, df) * se;
    return {
      index: k,
      kind: shift > 0 ? 'regression' : 'improvement',
      change: Math.expm1(shift),
      ciLow: Math.expm1(shift - half),
      ciHigh: Math.expm1(shift + half),
      confidence: studentTCdf(score, df),
      score,
      before: Math.exp(locBefore.value),
      after: Math.exp(locAfter.value),
      noise,
      beforeCount: before.length,
      afterCount: m,
    };
  };

  // From the newest candidate back: the sorted runs after k gain logs[k], the sorted runs before
  // lose it and gain one older run, each kept sorted by insertion instead of sorted anew.
  let best: DetectedChange | null = null;
  const after = sortedSlice(logs, lastK, n);
  const before = sortedSlice(logs, Math.max(segmentStart, lastK - o.maxBefore), lastK);
  for (let k = lastK; k >= firstK; k--) {
    if (k < lastK) {
      insertSorted(after, logs[k]!);
      removeSorted(before, logs[k]!);
      const older = k - o.maxBefore;
      if (older >= segmentStart) insertSorted(before, logs[older]!);
    }
    const found = candidate(k, before, after);
    if (found && (best === null || found.score > best.score)) best = found;
  }
  if (best === null) return null;

  // The largest score is the surest that something changed, but robust levels let it drift
  // a run or two from where: place the change where the two levels split the runs best.
  const lowBefore = Math.log(best.before);
  const highAfter = Math.log(best.after);
  const from = Math.max(firstK, best.index - LOCATE_RADIUS);
  const to = Math.min(lastK, best.index + LOCATE_RADIUS);
  let split = best.index;
  let bestCost = Number.POSITIVE_INFINITY;
  for (let k = from; k <= to; k++) {
    let cost = 0;
    for (let i = from; i < k; i++) cost += Math.abs(logs[i]! - lowBefore);
    for (let i = k; i < n; i++) cost += Math.abs(logs[i]! - highAfter);
    if (cost < bestCost) {
      bestCost = cost;
      split = k;
    }
  }
  return split === best.index ? best : (candidate(split) ?? best);
}

/** Inserts `value` into sorted `values`, keeping them sorted. */
function insertSorted(values: number[], value: number): void {
  let i = values.length;
  values.push(value);
  while (i > 0 && values[i - 1]! > value) {
    values[i] = values[i - 1]!;
    i--;
  }
  values[i] = value;
}

/** Removes one occurrence of `value` from sorted `values`. */
function removeSorted(values: number[], value: number): void {
  let low = 0;
  let high = values.length - 1;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (values[mid]! < value) low = mid + 1;
    else high = mid;
  }
  values.splice(low, 1);
}

/** `values[from, to)` sorted ascending, as a new array. */
function sortedSlice(values: readonly number[], from: number, to: number): number[] {
  return sortAscending(values.slice(from, to));
}

/**
 * Sorts numbers (no NaN) ascending in place by insertion: the detector sorts a few dozen
 * values at a time, often nearly in order, where this beats a typed array's sort and its
 * allocation. Equal values keep their order, so sums over the result are the same.
 */
function sortAscending(values: number[]): number[] {
  for (let i = 1; i < values.length; i++) {
    const value = values[i]!;
    let j = i;
    while (j > 0 && values[j - 1]! > value) {
      values[j] = values[j - 1]!;
      j--;
    }
    values[j] = value;
  }
  return values;
}

function medianSorted(sorted: ArrayLike<number>): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** How many values a trim of `fraction` drops from each end of `n` sorted values. */
function trimCount(n: number, fraction: number): number {
  return n >= 6 && fraction > 0 ? Math.max(1, Math.round(fraction * n)) : 0;
}

/**
 * A robust location of sorted values and its variance in units of one
 * value's variance (for normal data): the mean of 1 or 2 values, the median
 * of 3 to 5, a trimmed mean from 6 on.
 */
function location(sorted: ArrayLike<number>, trim: number): { value: number; variance: number } {
  const n = sorted.length;
  if (n <= 2) return { value: n === 1 ? sorted[0]! : (sorted[0]! + sorted[1]!) / 2, variance: 1 / n };
  if (n < 6) return { value: medianSorted(sorted), variance: MEDIAN_VARIANCE_FACTOR / n };
  const cut = trimCount(n, trim);
  let sum = 0;
  for (let i = cut; i < n - cut; i++) sum += sorted[i]!;
  return { value: sum / (n - 2 * cut), variance: trimFactors(cut / n).meanVariance / n };
}

/**
 * Run-to-run spread of `logs[from, to)`: each segment (cut at `boundaries`)
 * is centred on its own median, then the trimmed SD of all deviations is
 * scaled back to a full SD for normal data. Null below `minNoise`... the
 * caller's minimum is applied through `firstK`; here fewer than 3 usable
 * deviations give null.
 */
function pooledScale(
  logs: readonly number[],
  boundaries: readonly number[],
  from: number,
  to: number,
  trim: number,
): { sd: number; df: number } | null {
  const deviations: number[] = [];
  let pieces = 0;
  let start = from;
  for (let b = 0; b <= boundaries.length; b++) {
    const end = b < boundaries.length ? boundaries[b]! : to;
    if (b < boundaries.length && !(end > from && end < to)) continue;
    if (end - start >= 2) {
      const piece = sortedSlice(logs, start, end);
      const center = medianSorted(piece);
      for (const v of piece) deviations.push(v - center);
      pieces++;
    }
    start = end;
  }
  if (deviations.length - pieces < 3) return null;
  const scale = robustScale(sortAscending(deviations), trim);
  return { sd: scale.sd, df: Math.max(1, scale.df - pieces + 1) };
}

/**
 * Spread of sorted values: the SD after trimming `trim` of them at each end
 * (at least one from 6 values on), scaled back to a full SD for normal data,
 * with its degrees of freedom.
 * @example robustScale(Float64Array.from([-0.02, -0.01, 0, 0.01, 0.02, 0.3]), 0.1).sd // the 0.3 is trimmed
 */
export function robustScale(sorted: ArrayLike<number>, trim: number): { sd: number; df: number } {
  const n = sorted.length;
  if (n < 2) return { sd: 0, df: 1 };
  const cut = trimCount(n, trim);
  const kept = n - 2 * cut;
  let sum = 0;
  for (let i = cut; i < n - cut; i++) sum += sorted[i]!;
  const mean = sum / kept;
  let squares = 0;
  for (let i = cut; i < n - cut; i++) squares += (sorted[i]! - mean) ** 2;
  const trimmedSd = kept > 1 ? Math.sqrt(squares / (kept - 1)) : 0;
  return { sd: trimmedSd / trimFactors(cut / n).sd, df: Math.max(1, kept - 1) };
}

const factors = new Map<number, { sd: number; meanVariance: number }>();

/**
 * For a normal sample trimmed by `fraction` at each end: its SD relative to the full SD, and
 * n x the variance of its trimmed mean. Memoised: only a few fractions occur.
 */
function trimFactors(fraction: number): { sd: number; meanVariance: number } {
  let f = factors.get(fraction);
  if (!f) {
    if (fraction <= 0) f = { sd: 1, meanVariance: 1 };
    else {
      const z = normalQuantile(1 - fraction);
      const density = Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
      const winsorized = 1 - 2 * fraction - 2 * z * density + 2 * fraction * z * z;
      f = {
        sd: Math.sqrt(1 - (2 * z * density) / (1 - 2 * fraction)),
        meanVariance: winsorized / (1 - 2 * fraction) ** 2,
      };
    }
    if (factors.size < 10_000) factors.set(fraction, f);
  }
  return f;
}

const criticalValues = new Map<number, Map<number, number>>();

/** Student's t quantile 1 - alpha with `df` degrees of freedom (memoised: few distinct values occur). */
function criticalValue(alpha: number, df: number): number {
  let byDf = criticalValues.get(alpha);
  if (byDf === undefined) {
    byDf = new Map();
    criticalValues.set(alpha, byDf);
  }
  let value = byDf.get(df);
  if (value === undefined) {
    value = studentTQuantile(1 - alpha, df);
    byDf.set(df, value);
  }
  return value;
}

/** Median within-run relative error over the points used: a floor under the run-to-run noise. */
function withinRunNoise(points: readonly SeriesPoint[], from: number, to: number): number {
  const errors: number[] = [];
  for (let i = from; i < to; i++) {
    const rse = points[i]!.rse;
    if (Number.isFinite(rse) && rse > 0) errors.push(rse);
  }
  return errors.length === 0 ? 0 : medianInPlace(Float64Array.from(errors));
}
