/**
 * Realistic run documents for the server's tests and benchmark: the shape
 * and sizes `gilbench run --json` produces (three modes, about 60 results,
 * 30 to 100 samples each, statistics from harness/stats), with seeded noise
 * and optional steps, so a test can plant a regression where it wants one.
 * They are synthetic: `profile` is `synthetic` so nobody mistakes them for
 * measurements.
 *
 * @example
 * const machine = fixtureMachine(1);
 * const docs = fixtureHistory({ machine, runs: 30, step: { at: 20, factor: 1.1, match: (c) => c.mode.endsWith('/nogil') } });
 */
import { createHash } from 'node:crypto';
import { caseId } from '../case-key.ts';
import {
  type CaseParams,
  type Machine,
  type Mode,
  type ModeName,
  type Result,
  RUN_SCHEMA,
  type RunDocument,
  type SuiteInfo,
} from '../schema.ts';
import { describeAfterLoopCost } from '../stats/describe.ts';
import { createRng, normalDeviate } from '../stats/prng.ts';
import { buildResult, FIXTURE_MODES, fixtureMode } from './runs.ts';

/** One case of the fixture matrix. */
export interface FixtureCase {
  suite: string;
  benchmark: string;
  params: CaseParams;
}

/** 20 cases over the four built-in suites; with three modes, 60 results a run. */
export const FIXTURE_CASES: readonly FixtureCase[] = [
  ...['nbody', 'richards', 'float', 'unpack-sequence', 'regex-compile'].map((benchmark) => ({
    suite: 'single-thread',
    benchmark,
    params: {},
  })),
  ...[1, 2, 4, 8].flatMap((threads) =>
    ['shared-dict-read', 'independent-arith'].map((benchmark) => ({
      suite: 'scaling',
      benchmark,
      params: { threads },
    })),
  ),
  ...[0, 1, 2, 4].map((arity) => ({ suite: 'calls', benchmark: 'positional', params: { arity } })),
  ...[1, 4].flatMap((threads) =>
    ['none', 'lock', 'rlock'].slice(0, threads === 1 ? 1 : 3).map((lock) => ({
      suite: 'locks',
      benchmark: 'dict-read',
      params: { lock, threads, writer: false },
    })),
  ),
];

const SUITE_DESCRIPTIONS: Record<string, string> = {
  'single-thread': 'one thread: interpreter overhead of the free-threaded build',
  scaling: 'the same work on N threads: speedup and contention',
  calls: 'function call paths',
  locks: 'shared objects behind locks',
};

/**
 * A machine with a fingerprint derived from `seed`.
 * @example fixtureMachine(2).fingerprint !== fixtureMachine(3).fingerprint
 */
export function fixtureMachine(seed: number, labels: string[] = ['nightly']): Machine {
  return {
    fingerprint: createHash('sha256').update(`machine-${seed}`).digest('hex').slice(0, 32),
    hostname: `bench-${seed}`,
    os: 'Debian GNU/Linux 12 (bookworm)',
    kernel: '6.1.0-37-amd64',
    arch: 'x64',
    cpu: {
      brand: 'AMD EPYC 7763 64-Core Processor',
      cores: 16,
      physicalCores: 8,
      usableCores: 16,
      governor: 'performance',
    },
    memoryBytes: 64 * 2 ** 30,
    details: { virtualization: 'kvm', l3CacheBytes: 32 * 2 ** 20 },
    labels,
  };
}

/** Time per operation (ns) of a case in a mode, before noise: deterministic per case. */
function baseLevel(c: FixtureCase, mode: ModeName): number {
  const h = createHash('sha256')
    .update(caseId(c.suite, c.benchmark, c.params))
    .digest();
  let level = 50 * 2 ** ((h[0]! / 255) * 10); // 50 ns .. 50 us
  if (mode !== 'gil') level *= 1.1 + (h[1]! / 255) * 0.3; // the free-threaded build's single-thread cost
  const threads = typeof c.params.threads === 'number' ? c.params.threads : 1;
  // Per-thread time: serialised under a GIL, close to flat without it (some contention).
  if (mode === 'nogil') level *= 1 + 0.05 * (threads - 1);
  else level *= threads;
  return level;
}

export interface FixtureRunOptions {
  machine: Machine;
  /** Seed of this run's noise. */
  seed: number;
  startedAt: Date;
  /** Run-to-run noise (relative SD of a run's level; default 0.01). */
  cv?: number;
  /** Multiplies the level of the matching results (a planted change). */
  factor?: (c: FixtureCase & { mode: string }) => number;
  cases?: readonly FixtureCase[];
  modes?: readonly Mode[];
  jobId?: string | null;
}

/**
 * One run document.
 * @example RunDocument.parse(fixtureRun({ machine: fixtureMachine(1), seed: 1, startedAt: new Date() }))
 */
export function fixtureRun(opts: FixtureRunOptions): RunDocument {
  const next = createRng(opts.seed);
  const cases = opts.cases ?? FIXTURE_CASES;
  const modes = opts.modes ?? FIXTURE_MODES;
  const cv = opts.cv ?? 0.01;
  const results: Result[] = [];
  let clock = 0;
  for (const c of cases) {
    for (const mode of modes) {
      const factor = opts.factor?.({ ...c, mode: mode.id }) ?? 1;
      const level = baseLevel(c, mode.mode) * factor * Math.exp(cv * normalDeviate(next));
      const count = 30 + Math.floor(next() * 71);
      const loopCostNs = 8 + next() * 4;
      const samples: number[] = [];
      for (let i = 0; i < count; i++) {
        let s = level * Math.exp(2 * cv * normalDeviate(next));
        if (next() < 0.03) s *= 1.1 + next();
        samples.push(s + loopCostNs);
      }
      const wallMs = (samples.reduce((a, b) => a + b, 0) * 1e-6 * 1000) / count + 50;
      clock += wallMs;
      results.push(
        buildResult({
          suite: c.suite,
          benchmark: c.benchmark,
          params: c.params,
          mode: mode.id,
          samples,
          loopCostNs,
          processes: 3,
          stats: describeAfterLoopCost(samples, loopCostNs),
          peakRssBytes: 20e6 + next() * 10e6,
          checksum: createHash('sha256').update(c.benchmark).digest('hex').slice(0, 16),
          gil: { afterLoad: mode.mode !== 'nogil', afterRun: mode.mode !== 'nogil' },
          load: { before: next() * 0.5, after: next() * 0.5 },
          wallMs,
        }),
      );
    }
  }
  const suites: SuiteInfo[] = [...new Set(cases.map((c) => c.suite))].map((name) => {
    const benchmarks = [...new Set(cases.filter((c) => c.suite === name).map((c) => c.benchmark))];
    return {
      name,
      description: SUITE_DESCRIPTIONS[name] ?? name,
      benchmarks: benchmarks.map((benchmark) => {
        const params: Record<string, Array<string | number | boolean>> = {};
        for (const c of cases.filter((x) => x.suite === name && x.benchmark === benchmark)) {
          for (const [k, v] of Object.entries(c.params)) params[k] = [...new Set([...(params[k] ?? []), v])];
        }
        return { name: benchmark, description: `${benchmark} kernel`, params, opsPerLoop: 1 };
      }),
    };
  });
  return {
    schema: RUN_SCHEMA,
    // From the seed and the machine: equal seeds on two machines must not collide.
    id: uuidFrom(createRng(opts.seed ^ Number.parseInt(opts.machine.fingerprint.slice(0, 8), 16))),
    startedAt: opts.startedAt.toISOString(),
    finishedAt: new Date(opts.startedAt.getTime() + Math.round(clock)).toISOString(),
    profile: 'synthetic',
    gilbenchVersion: '0.1.0',
    machine: opts.machine,
    jobId: opts.jobId ?? null,
    modes: [...modes],
    suites,
    results,
    warnings: [],
  };
}

/** A v4-shaped uuid from the seeded generator (the same seed gives the same id). */
function uuidFrom(next: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(next() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export interface FixtureHistoryOptions {
  machine: Machine;
  runs: number;
  /** First run's seed (each run gets the next). */
  seed?: number;
  /** The last run's start (default 2025-06-01); runs are one day apart. */
  end?: Date;
  cv?: number;
  /** From run `at` on, matching results are `factor` times slower. */
  step?: { at: number; factor: number; match: (c: FixtureCase & { mode: string }) => boolean };
  cases?: readonly FixtureCase[];
  modes?: readonly Mode[];
}

/**
 * Nightly runs of one machine, oldest first.
 * @example fixtureHistory({ machine: fixtureMachine(1), runs: 10 }).length // 10
 */
export function fixtureHistory(opts: FixtureHistoryOptions): RunDocument[] {
  const end = (opts.end ?? new Date('2025-06-01T02:00:00Z')).getTime();
  const day = 86_400_000;
  return Array.from({ length: opts.runs }, (_, i) =>
    fixtureRun({
      machine: opts.machine,
      seed: (opts.seed ?? 1) * 100_000 + i,
      startedAt: new Date(end - (opts.runs - 1 - i) * day),
      cv: opts.cv,
      cases: opts.cases,
      modes: opts.modes,
      factor: opts.step ? (c) => (i >= opts.step!.at && opts.step!.match(c) ? opts.step!.factor : 1) : undefined,
    }),
  );
}

/**
 * The same document as if measured on another CPython release: its modes' ids and runtimes say so.
 * @example onRelease(doc, '3.13.15').modes[0]!.id // 'cpython-3.13.15/gil'
 */
export function onRelease(doc: RunDocument, version: string): RunDocument {
  const modes = doc.modes.map((m) => fixtureMode(m.mode, version));
  const ids = new Map(doc.modes.map((m, i) => [m.id, modes[i]!.id]));
  return { ...doc, modes, results: doc.results.map((r) => ({ ...r, mode: ids.get(r.mode)! })) };
}
