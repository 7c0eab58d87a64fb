/**
 * Valid-but-extreme run documents: each passes the run schema, yet puts the
 * statistics at an edge (magnitudes near the ends of the float range, one
 * sample, identical samples, samples equal to the loop cost, both ends in one
 * result). Every read route must answer them without a 5xx; `export-site`
 * must write them. The fuzzer sends hostile bytes; these are the other half:
 * documents nobody may refuse.
 *
 * @example
 * for (const { name, doc } of extremeRuns(fixtureMachine(1))) await repo.ingestRun(doc, { uploadedBy: null, now });
 */
import type { Machine, Result, RunDocument } from '../../harness/schema.ts';
import { describeAfterLoopCost } from '../../harness/stats/describe.ts';
import { createRng } from '../../harness/stats/prng.ts';
import { FIXTURE_CASES, fixtureRun } from '../test-support/index.ts';

/** How one family sets a result's samples and loop cost, by mode kind and case index. */
type Shape = (mode: string, index: number) => { samples: number[]; loopCostNs: number };

const repeat = (value: number, count: number) => Array.from({ length: count }, () => value);
const isGil = (mode: string) => mode.endsWith('/gil');

/** The families, by name: each gives every result of a fixture run its shape. */
export const EXTREME_FAMILIES: Readonly<Record<string, Shape>> = {
  // The ratio of medians underflows to 0 (and its inverse overflows) in plain floating point.
  'huge-vs-tiny': (mode) => ({
    samples: repeat(isGil(mode) ? 1e300 : 1e-300, 12).map((v, i) => v * (1 + i / 100)),
    loopCostNs: 0,
  }),
  'tiny-vs-huge': (mode) => ({
    samples: repeat(isGil(mode) ? 1e-300 : 1e300, 12).map((v, i) => v * (1 + i / 100)),
    loopCostNs: 0,
  }),
  // Sums of such samples overflow to Infinity: means and spreads must not.
  'largest-finite': () => ({
    samples: [Number.MAX_VALUE, Number.MAX_VALUE * 0.99, Number.MAX_VALUE * 0.98],
    loopCostNs: 0,
  }),
  'smallest-positive': () => ({
    samples: [Number.MIN_VALUE, Number.MIN_VALUE * 2, Number.MIN_VALUE * 3],
    loopCostNs: 0,
  }),
  'both-ends-in-one-result': (_, i) => ({
    samples: [1e-300, 1, 1e300, 1e-300 * (i + 1), 1e300 / (i + 1)],
    loopCostNs: 0,
  }),
  'single-sample': (mode) => ({ samples: [isGil(mode) ? 100 : 150], loopCostNs: 10 }),
  'identical-samples': () => ({ samples: repeat(250, 40), loopCostNs: 10 }),
  'zero-spread-each-side': (mode) => ({ samples: repeat(isGil(mode) ? 200 : 300, 40), loopCostNs: 10 }),
  // After the loop cost nothing is left: every median is 0.
  'samples-equal-loop-cost': () => ({ samples: repeat(10, 20), loopCostNs: 10 }),
  'huge-loop-cost': (_, i) => ({
    samples: [1e300, 1.01e300, 1.02e300].map((v) => v * (1 + i / 1000)),
    loopCostNs: 1e300,
  }),
  'two-samples': (mode) => ({ samples: isGil(mode) ? [1, 1e6] : [1e6, 1], loopCostNs: 0 }),
};

export interface ExtremeRun {
  family: string;
  doc: RunDocument;
}

/**
 * One run document per family for `machine`, one day apart before `end`
 * (default 2025-06-01), over a few fixture cases (scaling cases included, so
 * scaling curves are drawn too). Stats are recomputed from the samples, as the
 * harness would.
 */
export function extremeRuns(machine: Machine, end = new Date('2025-06-01T00:00:00Z')): ExtremeRun[] {
  const cases = FIXTURE_CASES.filter((_, i) => i % 3 === 0);
  const names = Object.keys(EXTREME_FAMILIES);
  return names.map((family, k) => {
    const base = fixtureRun({
      machine,
      seed: 7000 + k,
      startedAt: new Date(end.getTime() - (names.length - k) * 86_400_000),
      cases,
    });
    const next = createRng(k + 1);
    const results: Result[] = base.results.map((r, i) => {
      const { samples, loopCostNs } = EXTREME_FAMILIES[family]!(r.mode, i);
      // Samples are unchanged in order across modes; shuffle lightly so process groups differ.
      if (samples.length > 3 && next() < 0.5) samples.reverse();
      return { ...r, samples, loopCostNs, stats: describeAfterLoopCost(samples, loopCostNs) };
    });
    return { family, doc: { ...base, results } };
  });
}
