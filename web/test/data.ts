/**
 * Test and benchmark data for the dashboard. Real runs come from the real
 * harness (`runBenchmarks`, quick profile, a few cases of each suite). Long
 * histories are DERIVED from a real run: copies of its results, moved back
 * in time one day apiece, with every sample scaled by a small deterministic
 * jitter (and a step change where a test wants a regression). They are
 * labelled `profile: 'derived'` so nobody mistakes them for measurements.
 *
 * @example
 * const real = await realRun({ suites: ['selftest'] });
 * const docs = derivedHistory(real, { count: 40, step: { at: 30, factor: 1.3, match: (r) => r.mode.endsWith('/nogil') } });
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { runBenchmarks } from '../../harness/run/runner.ts';
import { expandCases, listSuite, resolveSuite } from '../../harness/run/suites.ts';
import { PROFILES } from '../../harness/sampling/profiles.ts';
import type { Machine, ModeName, Result, RunDocument } from '../../harness/schema.ts';
import { describeAfterLoopCost } from '../../harness/stats/describe.ts';
import { createRng, normalDeviate } from '../../harness/stats/prng.ts';
import { type FixtureCase, fixtureMachine, fixtureRun, scaleResult } from '../../harness/test-support/index.ts';
import { WorkerProcess } from '../../harness/worker/client.ts';

/** Cases of every built-in suite that keep a quick run short (the regex is on `suite/benchmark[params]`). */
export const FIXTURE_FILTER = [
  '^selftest/',
  '^single-thread/(nbody|richards)$',
  '^scaling/(independent-arith|shared-dict-read)\\[',
  '^calls/positional\\[arity=(0|4)\\]',
  '^locks/dict-read\\[lock=(none|lock),threads=\\d+,writer=false\\]',
].join('|');

export const FIXTURE_SUITES = ['selftest', 'single-thread', 'scaling', 'calls', 'locks'];

/** The built-in suites that exist in this checkout (others are still being written). */
export function availableSuites(names: readonly string[] = FIXTURE_SUITES): string[] {
  return names.filter((name) => existsSync(new URL(`../../suites/${name}/suite.py`, import.meta.url)));
}

/** One real run of the harness (quick profile). */
export async function realRun(
  opts: {
    suites?: string[];
    filter?: string;
    modes?: ModeName[];
    threads?: number[];
    log?: (line: string) => void;
  } = {},
): Promise<RunDocument> {
  const suites = opts.suites ?? availableSuites();
  const started = performance.now();
  let done = 0;
  const doc = await runBenchmarks({
    suites,
    modes: opts.modes ?? ['gil', 'nogil', 'ft-gil'],
    profile: 'quick',
    filter: opts.filter ?? FIXTURE_FILTER,
    threads: opts.threads ?? [1, 2],
    onProgress: (event) => {
      if (event.type === 'planned') opts.log?.(`harness: ${event.total} measurements of ${suites.join(', ')}`);
      if (event.type === 'case-done' && ++done % 10 === 0)
        opts.log?.(`harness: ${done} done (${((performance.now() - started) / 1000).toFixed(0)} s)`);
    },
  });
  opts.log?.(
    `harness: run ${doc.id} with ${doc.results.length} results in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return doc;
}

export interface DerivedOptions {
  /** How many documents (one per day, ending one day before the real run). */
  count: number;
  /** Relative jitter of each document's level (default 0.01 = ±1%). */
  jitter?: number;
  /** From document `at` on (0 = oldest), results matching `match` are `factor` times slower. */
  step?: { at: number; factor: number; match: (r: Result) => boolean };
  /** Keep only results matching this (default all). */
  keep?: (r: Result) => boolean;
  seed?: number;
  /** Spacing in ms (default one day). */
  spacingMs?: number;
}

/**
 * Documents DERIVED from a real run for history charts: see the module comment.
 * Oldest first; the last one ends `spacingMs` before the real run started.
 */
export function derivedHistory(real: RunDocument, opts: DerivedOptions): RunDocument[] {
  const random = createRng(opts.seed ?? 7); // seeded: derived data is the same every time
  const jitter = opts.jitter ?? 0.01;
  const spacing = opts.spacingMs ?? 86_400_000;
  const realStart = Date.parse(real.startedAt);
  const realDuration = Date.parse(real.finishedAt) - realStart;
  const kept = real.results.filter(opts.keep ?? (() => true));
  const docs: RunDocument[] = [];
  for (let i = 0; i < opts.count; i++) {
    const start = realStart - (opts.count - i) * spacing;
    const level = 1 + (random() * 2 - 1) * jitter;
    const results = kept.map((r) =>
      scaleResult(r, level * (opts.step && i >= opts.step.at && opts.step.match(r) ? opts.step.factor : 1)),
    );
    docs.push({
      ...real,
      id: randomUUID(),
      startedAt: new Date(start).toISOString(),
      finishedAt: new Date(start + realDuration).toISOString(),
      profile: 'derived',
      jobId: null,
      results,
      suites: real.suites.filter((s) => results.some((r) => r.suite === s.name)),
    });
  }
  return docs;
}

/** The four suites a default run measures (the selftest aside). */
export const DEFAULT_SUITES = ['single-thread', 'scaling', 'calls', 'locks'];

/**
 * Every case of `suites` as a real worker lists them (the suites' own
 * matrices), threaded benchmarks at 1 and 2 threads as on a 2-core machine.
 */
export async function suiteCases(python: string, suites: readonly string[] = DEFAULT_SUITES): Promise<FixtureCase[]> {
  const { worker } = await WorkerProcess.start({ python, env: {} });
  try {
    const cases: FixtureCase[] = [];
    for (const name of suites) {
      const listing = await listSuite(worker, resolveSuite(name));
      for (const b of listing.benchmarks) {
        const params = 'threads' in b.params ? { ...b.params, threads: [1, 2] } : b.params;
        for (const p of expandCases(params)) cases.push({ suite: name, benchmark: b.name, params: p });
      }
    }
    return cases;
  } finally {
    await worker.close();
  }
}

/**
 * A run DERIVED in the shape of a default-profile run: the given cases in
 * gil, nogil and ft-gil, each result of 60 samples over 10 worker processes
 * (the default profile's 10 x 6), levels from the fixture's model
 * (harness/test-support); labelled `profile: 'derived'`.
 * @example defaultShapedRun(await suiteCases('python3'), { machine: fixtureMachine(7) }).results.length // 519
 */
export function defaultShapedRun(
  cases: readonly FixtureCase[],
  opts: { machine?: Machine; seed?: number; startedAt?: Date } = {},
): RunDocument {
  const { processes, samplesPerProcess } = PROFILES.default;
  const seed = opts.seed ?? 11;
  const doc = fixtureRun({
    machine: opts.machine ?? fixtureMachine(seed),
    seed,
    startedAt: opts.startedAt ?? new Date('2025-06-01T02:00:00Z'),
    cases,
  });
  const next = createRng(seed);
  return {
    ...doc,
    profile: 'derived',
    results: doc.results.map((r) => {
      const level = r.stats?.median ?? 1000;
      const samples = Array.from(
        { length: processes * samplesPerProcess },
        () => level * Math.exp(0.01 * normalDeviate(next)) + r.loopCostNs,
      );
      return { ...r, samples, processes, stats: describeAfterLoopCost(samples, r.loopCostNs, { processes }) };
    }),
  };
}

/** Markup that must show as text and never run, for the safe-rendering test. */
export const HOSTILE = {
  hostname: '<script>window.__pwned=1</script>evil-host',
  label: '<img src=x onerror="window.__pwned=2">',
  param: '<img src=x onerror=window.__pwned=3>',
  description: '<b onmouseover="window.__pwned=4">bold</b>',
  note: '<iframe src="javascript:window.__pwned=5"></iframe>',
} as const;

/**
 * A copy of a real run on a machine whose hostname and labels are markup,
 * with one case whose parameter value is markup (the schema allows any text
 * in parameter values, labels and hostnames).
 */
export function hostileRun(real: RunDocument): RunDocument {
  const sample = real.results.find((r) => r.suite === 'selftest' && r.benchmark === 'call-4args') ?? real.results[0]!;
  const sameCase = real.results.filter(
    (r) =>
      r.suite === sample.suite &&
      r.benchmark === sample.benchmark &&
      JSON.stringify(r.params) === JSON.stringify(sample.params),
  );
  const results = sameCase.map((r) => ({ ...scaleResult(r, 1), params: { ...r.params, variant: HOSTILE.param } }));
  return {
    ...real,
    id: randomUUID(),
    machine: {
      ...real.machine,
      fingerprint: `hostile-${real.machine.fingerprint}`.slice(0, 128),
      hostname: HOSTILE.hostname,
      labels: [HOSTILE.label],
    },
    suites: [
      {
        name: sample.suite,
        description: HOSTILE.description,
        benchmarks: [
          {
            name: sample.benchmark,
            description: HOSTILE.description,
            params: { variant: [HOSTILE.param] },
            opsPerLoop: sample.opsPerLoop,
          },
        ],
      },
    ],
    results,
    warnings: [{ code: 'other', message: HOSTILE.description }],
  };
}
