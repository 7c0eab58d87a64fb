/**
 * Detector evaluation (`npm run bench:detector`): our detector against three
 * baselines on synthetic series (see simulate.ts for the noise model).
 *
 * For each noise level (run-to-run CV) it measures, per method:
 * - false alerts per 1,000 runs on step-free series;
 * - the detection rate per step size (1% to 20%, half slower, half faster):
 *   an alert within `HORIZON` runs of the step that names no run more than 2
 *   before it;
 * - the delay: how many runs after the step had arrived when the alert came
 *   (1 = on the first changed run).
 *
 * Every method runs online, as on a server: one new point at a time. An alert
 * naming a run within 2 of the method's previous alert is the same alert.
 * The baselines are also run with their threshold raised until their false
 * alerts are no more than ours ("at our false-alert rate"), which compares
 * how much each method catches for the same price.
 *
 * Usage: tsx server/detector/evaluate.ts [--series 200] [--seed 1] [--json]
 */
import { parseArgs } from 'node:util';
import { createRng } from '../../harness/stats/prng.ts';
import { createDetector, type SeriesPoint } from './detector.ts';
import { simulateSeries } from './simulate.ts';

export interface Alarm {
  /** Index of the point whose arrival raised the alarm. */
  at: number;
  /** Index of the first run the method says changed. */
  named: number;
}

/** A baseline: a statistic per arriving point, alarming at or above a threshold. */
export interface Baseline {
  name: (threshold: number) => string;
  threshold: number;
  /** `statistic[t]`: the test statistic when point t arrives (0 when it cannot be computed yet). */
  statistics(points: readonly SeriesPoint[]): { value: number; named: number }[];
}

const NOISE_LEVELS = [0.005, 0.01, 0.02, 0.05];
const STEP_SIZES = [0.01, 0.02, 0.05, 0.1, 0.2];
const HORIZON = 20;
const STEP_FREE_LENGTH = 80;

/** Ours, fed one point at a time; each change found becomes a boundary, as on the server. */
export function oursAlarms(points: readonly SeriesPoint[], detector = createDetector()): Alarm[] {
  const alarms: Alarm[] = [];
  const boundaries: number[] = [];
  // What the server keeps of a series for the detector: enough for the noise and the search.
  const keep = detector.options.maxNoise + detector.options.maxAfter;
  for (let t = 0; t < points.length; t++) {
    const from = Math.max(0, t + 1 - keep);
    const window = points.slice(from, t + 1);
    const change = detector.detect(window, {
      boundaries: boundaries.filter((b) => b >= from).map((b) => b - from),
    });
    if (change) {
      alarms.push({ at: t, named: from + change.index });
      boundaries.push(from + change.index);
    }
  }
  return alarms;
}

/** Baseline 1: relative difference from the previous point, alarm at 5% or more. */
export const fixedThreshold: Baseline = {
  name: (th) => `fixed ${+(th * 100).toFixed(1)}% vs previous`,
  threshold: 0.05,
  statistics: (points) =>
    points.map((p, t) => ({ value: t === 0 ? 0 : Math.abs(p.level / points[t - 1]!.level - 1), named: t })),
};

/** Baseline 2: z-score of a point against the trailing 20 points' mean and SD, alarm at z >= 5. */
export const zScore: Baseline = {
  name: (th) => `z-score, trailing 20, z>=${+th.toFixed(1)}`,
  threshold: 5,
  statistics: (points) =>
    points.map((p, t) => {
      if (t < 10) return { value: 0, named: t };
      const { mean, sd } = meanSd(points.slice(Math.max(0, t - 20), t).map((q) => q.level));
      return { value: sd > 0 ? Math.abs(p.level - mean) / sd : 0, named: t };
    }),
};

/** Baseline 3: Welch t between the 12 points before a split and the 12 from it, alarm at t >= 7. */
export const windowedTTest: Baseline = {
  name: (th) => `t-test 12|12, t>=${+th.toFixed(1)}`,
  threshold: 7,
  statistics: (points) =>
    points.map((_, t) => {
      const split = t - 11;
      if (split < 12) return { value: 0, named: split };
      const back = meanSd(points.slice(split - 12, split).map((q) => q.level));
      const forward = meanSd(points.slice(split, t + 1).map((q) => q.level));
      const se = Math.sqrt(back.sd ** 2 / 12 + forward.sd ** 2 / 12);
      return { value: se > 0 ? Math.abs(forward.mean - back.mean) / se : 0, named: split };
    }),
};

function meanSd(values: readonly number[]): { mean: number; sd: number } {
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / values.length;
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  return { mean, sd: values.length > 1 ? Math.sqrt(squares / (values.length - 1)) : 0 };
}

function baselineAlarms(stats: readonly { value: number; named: number }[], threshold: number): Alarm[] {
  const alarms: Alarm[] = [];
  for (const [t, s] of stats.entries()) if (s.value >= threshold) alarms.push({ at: t, named: s.named });
  return alarms;
}

/** Drops an alarm naming a run within 2 of the previous alarm's run. */
function distinct(alarms: readonly Alarm[]): Alarm[] {
  const kept: Alarm[] = [];
  for (const alarm of alarms) {
    const last = kept.at(-1);
    if (!last || Math.abs(alarm.named - last.named) > 2) kept.push(alarm);
  }
  return kept;
}

export interface StepOutcome {
  size: number;
  /** Fraction of series where the step was caught within the horizon. */
  rate: number;
  /** Fraction caught within 2 runs. */
  within2: number;
  /** Of the steps caught, the fraction whose alert named the first changed run exactly. */
  namedExactly: number;
  medianDelay: number | null;
}

export interface MethodOutcome {
  method: string;
  /** `baseline`: as specified; `matched`: threshold raised to our false-alert rate. */
  kind: 'ours' | 'baseline' | 'matched';
  falseAlertsPer1000: number;
  steps: StepOutcome[];
}

export interface NoiseOutcome {
  cv: number;
  runs: number;
  series: number;
  methods: MethodOutcome[];
}

interface Stepped {
  at: number;
  points: SeriesPoint[];
}

function score(alarmsOf: (points: SeriesPoint[]) => Alarm[], quiet: SeriesPoint[][], stepped: Stepped[][]) {
  let falseAlerts = 0;
  for (const points of quiet) falseAlerts += distinct(alarmsOf(points)).length;
  const steps = STEP_SIZES.map((size, i) => {
    const delays: number[] = [];
    let exact = 0;
    for (const { at, points } of stepped[i]!) {
      const hit = distinct(alarmsOf(points)).find((a) => a.at >= at && a.at < at + HORIZON && a.named >= at - 2);
      if (hit) delays.push(hit.at - at + 1);
      if (hit?.named === at) exact++;
    }
    delays.sort((a, b) => a - b);
    const count = stepped[i]!.length;
    return {
      size,
      rate: delays.length / count,
      within2: delays.filter((d) => d <= 2).length / count,
      namedExactly: delays.length ? exact / delays.length : 0,
      medianDelay: delays.length ? delays[delays.length >> 1]! : null,
    };
  });
  return { falseAlertsPer1000: (1000 * falseAlerts) / (quiet.length * STEP_FREE_LENGTH), steps };
}

/**
 * Runs the whole evaluation; deterministic for a seed.
 * @example const outcomes = evaluate({ seriesPerCell: 50, seed: 1 });
 */
export function evaluate(opts: { seriesPerCell: number; seed: number }): NoiseOutcome[] {
  const baselines = [fixedThreshold, zScore, windowedTTest];
  const outcomes: NoiseOutcome[] = [];
  for (const [noiseIndex, cv] of NOISE_LEVELS.entries()) {
    const next = createRng(opts.seed * 1000 + noiseIndex);
    // Step-free series: twice as many, since false alerts are rare events.
    const quiet = Array.from(
      { length: 2 * opts.seriesPerCell },
      () => simulateSeries(next, { cv, length: STEP_FREE_LENGTH }).points,
    );
    const stepped = STEP_SIZES.map((size) =>
      Array.from({ length: opts.seriesPerCell }, (_, j): Stepped => {
        const at = 40 + Math.floor(next() * 21);
        const signed = j % 2 ? size : -size / (1 + size); // a faster step of the same size on the log scale
        return { at, points: simulateSeries(next, { cv, length: at + HORIZON, step: { at, size: signed } }).points };
      }),
    );
    const methods: MethodOutcome[] = [];
    const ours = { method: 'ours (robust shift)', kind: 'ours' as const, ...score(oursAlarms, quiet, stepped) };
    methods.push(ours);
    const cache = new Map<SeriesPoint[], { value: number; named: number }[]>();
    for (const baseline of baselines) {
      const statsOf = (points: SeriesPoint[]) => {
        let stats = cache.get(points);
        if (!stats) {
          stats = baseline.statistics(points);
          cache.set(points, stats);
        }
        return stats;
      };
      cache.clear();
      const at = (threshold: number) => (points: SeriesPoint[]) => baselineAlarms(statsOf(points), threshold);
      methods.push({
        method: baseline.name(baseline.threshold),
        kind: 'baseline',
        ...score(at(baseline.threshold), quiet, stepped),
      });
      const matched = matchThreshold(baseline, quiet.map(statsOf), ours.falseAlertsPer1000);
      methods.push({
        method: `${baseline.name(matched)} (at our rate)`,
        kind: 'matched',
        ...score(at(matched), quiet, stepped),
      });
    }
    outcomes.push({ cv, runs: quiet.length * STEP_FREE_LENGTH, series: quiet.length + stepped.flat().length, methods });
  }
  return outcomes;
}

/** The smallest threshold (by bisection) at which the baseline's false alerts are no more than `target`. */
function matchThreshold(baseline: Baseline, quiet: { value: number; named: number }[][], target: number): number {
  const rate = (th: number) => {
    let alerts = 0;
    for (const stats of quiet) alerts += distinct(baselineAlarms(stats, th)).length;
    return (1000 * alerts) / (quiet.length * STEP_FREE_LENGTH);
  };
  let low = 0;
  let high = baseline.threshold;
  while (rate(high) > target) high *= 2;
  for (let i = 0; i < 40; i++) {
    const mid = (low + high) / 2;
    if (rate(mid) > target) low = mid;
    else high = mid;
  }
  return high;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** The README table: one row per noise level and method. */
export function formatTable(outcomes: readonly NoiseOutcome[]): string {
  const header = [
    'CV',
    'method',
    'false alerts / 1000 runs',
    ...STEP_SIZES.map((s) => `${pct(s)} step`),
    '5% step within 2 runs',
    '5% step named exactly',
  ];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const o of outcomes) {
    for (const m of o.methods) {
      const cells = m.steps.map((s) => `${pct(s.rate)} (${s.medianDelay ?? '-'})`);
      const five = m.steps.find((s) => s.size === 0.05)!;
      const name = m.kind === 'ours' ? `**${m.method}**` : m.method;
      lines.push(
        `| ${(o.cv * 100).toFixed(1)}% | ${name} | ${m.falseAlertsPer1000.toFixed(2)} | ${cells.join(' | ')} | ${pct(five.within2)} | ${pct(five.namedExactly)} |`,
      );
    }
  }
  return lines.join('\n');
}

/**
 * Whether rate `a` exceeds rate `b` by more than sampling noise: two standard errors of
 * the difference of two proportions, each from `n` series.
 */
function clearlyMore(a: number, b: number, n: number): boolean {
  const se = Math.sqrt((a * (1 - a)) / n + (b * (1 - b)) / n);
  return a - b > 2 * Math.max(se, 0.5 / n);
}

/**
 * The goals, checked: (1) at every noise level no baseline catches clearly more of a
 * step size than ours (beyond sampling noise) without also raising more false alerts,
 * and at our false-alert rate none catches clearly more; (2) at CV 1% a 5% step is
 * caught within 2 runs at least 95% of the time with at most 1 false alert per 1,000
 * runs. Returns the shortfalls (empty: goals met) and, separately, the cells where a
 * baseline caught more by alerting more often.
 */
export function checkGoals(
  outcomes: readonly NoiseOutcome[],
  seriesPerCell: number,
): { failures: string[]; notes: string[] } {
  const failures: string[] = [];
  const notes: string[] = [];
  for (const o of outcomes) {
    const ours = o.methods.find((m) => m.kind === 'ours')!;
    for (const [i, size] of STEP_SIZES.entries()) {
      const ourRate = ours.steps[i]!.rate;
      for (const other of o.methods.filter((m) => m.kind !== 'ours')) {
        const theirRate = other.steps[i]!.rate;
        if (!clearlyMore(theirRate, ourRate, seriesPerCell)) continue;
        const where = `CV ${(o.cv * 100).toFixed(1)}%, ${pct(size)} step: ${other.method} caught ${pct(theirRate)} vs ours ${pct(ourRate)}`;
        if (other.falseAlertsPer1000 > ours.falseAlertsPer1000) {
          notes.push(
            `${where}, with ${other.falseAlertsPer1000.toFixed(2)} false alerts/1000 runs vs ours ${ours.falseAlertsPer1000.toFixed(2)}`,
          );
        } else failures.push(`${where} with no more false alerts`);
      }
    }
    if (o.cv === 0.01) {
      const five = ours.steps.find((s) => s.size === 0.05)!;
      if (five.within2 < 0.95) failures.push(`CV 1%: 5% step caught within 2 runs ${pct(five.within2)} < 95%`);
      if (ours.falseAlertsPer1000 > 1) {
        failures.push(`CV 1%: ${ours.falseAlertsPer1000.toFixed(2)} false alerts per 1000 runs > 1`);
      }
    }
  }
  return { failures, notes };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      series: { type: 'string', default: '200' },
      seed: { type: 'string', default: '1' },
      json: { type: 'boolean', default: false },
    },
  });
  const seriesPerCell = Number(values.series);
  const seed = Number(values.seed);
  if (!(Number.isInteger(seriesPerCell) && seriesPerCell > 0 && Number.isInteger(seed))) {
    console.error('usage: evaluate.ts [--series N] [--seed N] [--json]');
    process.exit(2);
  }
  const started = performance.now();
  const outcomes = evaluate({ seriesPerCell, seed });
  if (values.json) console.log(JSON.stringify(outcomes, null, 2));
  else {
    const first = outcomes[0]!;
    console.log(
      `Detector evaluation, seed ${seed}: per noise level ${2 * seriesPerCell} step-free series of ${STEP_FREE_LENGTH} runs (${first.runs} runs) and ${seriesPerCell} series per step size (step after 40-60 runs, half slower, half faster); a step counts as caught when an alert comes within ${HORIZON} runs. Cells: caught (median delay in runs).\n`,
    );
    console.log(formatTable(outcomes));
    const { failures, notes } = checkGoals(outcomes, seriesPerCell);
    if (notes.length) {
      console.log(
        `\nBaselines that caught clearly more (beyond 2 SE) by alerting more often:\n- ${notes.join('\n- ')}`,
      );
    }
    console.log(failures.length ? `\nGoals NOT met:\n- ${failures.join('\n- ')}` : '\nGoals met.');
    console.log(`(${((performance.now() - started) / 1000).toFixed(1)} s)`);
  }
}
