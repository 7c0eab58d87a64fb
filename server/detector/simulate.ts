/**
 * Synthetic series for evaluating detectors: one point per run, made the way
 * the server makes them (the median of the run's samples and its relative
 * error from the samples' order statistics), with the noise a shared machine
 * produces:
 *
 * - within-run noise: samples scatter log-normally by 2 x `cv` around the
 *   run's level, 3% of them slowed by 10% to 100% (sample outliers);
 * - bimodality, in 15% of series: the run's samples come round-robin from 2
 *   to 4 worker processes, and each process lands in a slow state (address
 *   layout, hash seed) with probability 0.2 to 0.5, slower by 2 to 4 x `cv`,
 *   so the run's median moves with how many of its processes were slow;
 * - run-to-run noise: each run's level is off by a normal factor, sized so
 *   that the SD of a run's log level from all the sources above together is
 *   `cv`: the noise level is what a series shows, whatever its shape;
 * - disturbed runs, on top: 1% of runs are slowed by 5% to 30% ("machine busy").
 *
 * @example
 * const s = simulateSeries(createRng(1), { cv: 0.01, length: 60, step: { at: 40, size: 0.05 } });
 */
import { normalDeviate } from '../../harness/stats/prng.ts';
import type { SeriesPoint } from './detector.ts';
import { pointFromSamples } from './point.ts';

export interface SimulationOptions {
  /** Run-to-run coefficient of variation (0.01 = 1%). */
  cv: number;
  length: number;
  /** A step of relative `size` (0.05 = 5% slower; negative = faster) from point `at` on. */
  step?: { at: number; size: number };
  /** Force bimodality on or off (default: 15% of series are bimodal). */
  bimodal?: boolean;
}

export interface SimulatedSeries {
  points: SeriesPoint[];
  bimodal: boolean;
}

/**
 * One series of `length` points.
 * @example simulateSeries(createRng(7), { cv: 0.02, length: 50 }).points.length // 50
 */
export function simulateSeries(next: () => number, opts: SimulationOptions): SimulatedSeries {
  const base = 100 * 10 ** (next() * 4); // 100 ns .. 1 ms per operation
  const bimodal = opts.bimodal ?? next() < 0.15;
  const processes = bimodal ? 2 + Math.floor(next() * 3) : 1;
  const slowProbability = 0.2 + 0.3 * next();
  const slowFactor = 1 + (2 + 2 * next()) * opts.cv;
  const runAt = (level: number) => {
    const processLevels = Array.from({ length: processes }, () =>
      bimodal && next() < slowProbability ? level * slowFactor : level,
    );
    return pointFromSamples(sampleRun(next, processLevels, opts.cv))!;
  };
  // What the samples and the slow states alone spread a run's level by; the rest is run-to-run noise.
  const pilot = Array.from({ length: 200 }, () => Math.log(runAt(1).level));
  const spread = sd(pilot);
  const runToRun = Math.sqrt(Math.max(0, opts.cv ** 2 - spread ** 2));
  const points: SeriesPoint[] = [];
  for (let i = 0; i < opts.length; i++) {
    let level = base;
    if (opts.step && i >= opts.step.at) level *= 1 + opts.step.size;
    level *= Math.exp(runToRun * normalDeviate(next));
    if (next() < 0.01) level *= 1.05 + 0.25 * next();
    points.push(runAt(level));
  }
  return { points, bimodal };
}

function sd(values: readonly number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1));
}

function sampleRun(next: () => number, processLevels: readonly number[], cv: number): number[] {
  const count = 30 + Math.floor(next() * 71);
  const samples: number[] = [];
  for (let j = 0; j < count; j++) {
    let s = processLevels[j % processLevels.length]! * Math.exp(2 * cv * normalDeviate(next));
    if (next() < 0.03) s *= 1.1 + 0.9 * next();
    samples.push(s);
  }
  return samples;
}
