/**
 * Sampling profiles: how many worker processes, samples and warm-ups a case
 * gets, and how long one sample should last. `quick` is for tests and
 * `npm start`, `default` for everyday runs, `rigorous` for publication.
 *
 * Many processes with few samples each, as pyperf does: run-to-run variation
 * is dominated by process-level noise (address layout, hash seeds), which
 * only more processes average out.
 *
 * @example const p = getProfile('default'); // 10 processes x 6 samples of ~20 ms
 */
import { UsageError } from '../errors.ts';

export interface Profile {
  name: ProfileName;
  /** Worker processes per case and mode; samples go round-robin over them. */
  processes: number;
  samplesPerProcess: number;
  warmupsPerProcess: number;
  /** Loops are calibrated so one sample lasts about this long. */
  targetSampleNs: number;
  /** A result whose CI half-width exceeds this fraction of the median is `unstable`. */
  maxMargin: number;
  /** Fewer samples than this is `too-few-samples`. */
  minSamples: number;
  /** No single worker request may take longer (a hung benchmark). */
  requestTimeoutMs: number;
}

export type ProfileName = 'quick' | 'default' | 'rigorous';

export const PROFILES: Record<ProfileName, Profile> = {
  quick: {
    name: 'quick',
    processes: 3,
    samplesPerProcess: 4,
    warmupsPerProcess: 1,
    targetSampleNs: 5e6,
    maxMargin: 0.1,
    minSamples: 6,
    requestTimeoutMs: 60_000,
  },
  default: {
    name: 'default',
    processes: 10,
    samplesPerProcess: 6,
    warmupsPerProcess: 1,
    targetSampleNs: 20e6,
    maxMargin: 0.02,
    minSamples: 20,
    requestTimeoutMs: 120_000,
  },
  rigorous: {
    name: 'rigorous',
    processes: 20,
    samplesPerProcess: 10,
    warmupsPerProcess: 1,
    targetSampleNs: 50e6,
    maxMargin: 0.01,
    minSamples: 60,
    requestTimeoutMs: 300_000,
  },
};

/** Looks a profile up by name; an unknown name is a usage error listing the valid ones. */
export function getProfile(name: string): Profile {
  const profile = PROFILES[name as ProfileName];
  if (!profile) throw new UsageError(`unknown profile '${name}'; use one of ${Object.keys(PROFILES).join(', ')}`);
  return profile;
}
