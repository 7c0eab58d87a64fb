/**
 * The one set of builders of results, modes and run documents for every
 * room's tests (the run schema lives in harness): a minimal valid result or
 * run with overrides, the three usual modes, results with lognormal samples
 * and the occasional outlier a shared machine produces (seeded, so
 * deterministic), and a result with its times scaled.
 *
 * @example
 * const doc = sampleRun({ jobId: '3' });
 * const r = buildResult({ suite: 'scaling', benchmark: 'spin', params: { threads: 2 }, samples });
 * const slower = scaleResult(r, 1.1);
 */
import { createHash, randomUUID } from 'node:crypto';
import { basicMachine } from '../machine.ts';
import { type CaseParams, type Mode, type ModeName, type Result, RUN_SCHEMA, RunDocument } from '../schema.ts';
import { createRng, normalDeviate } from '../stats/prng.ts';

/**
 * A valid ok result of `selftest/empty` in `cpython-3.13.5/gil` with three samples; `overrides` replace fields.
 * @example buildResult({ mode: 'cpython-3.13.5t/nogil', samples: [20, 21, 22] })
 */
export function buildResult(overrides: Partial<Result> = {}): Result {
  return {
    suite: 'selftest',
    benchmark: 'empty',
    params: {},
    mode: 'cpython-3.13.5/gil',
    status: 'ok',
    unit: 'ns',
    samples: [10, 11, 12],
    loopCostNs: 1,
    loops: 1000,
    opsPerLoop: 1,
    processes: 1,
    stats: { n: 3, mean: 10, median: 10, min: 9, max: 11, sd: 1, ciLow: 9, ciHigh: 11, margin: 0.1 },
    peakRssBytes: null,
    checksum: null,
    gil: { afterLoad: true, afterRun: true },
    load: { before: null, after: null },
    wallMs: 5,
    warnings: [],
    error: null,
    ...overrides,
  };
}

/**
 * A minimal run document that passes the schema: one mode (gil), one result of
 * three samples, a fresh id and the current time; `overrides` replace fields.
 * @example const doc = sampleRun({ jobId: '3' });
 */
export function sampleRun(overrides: Partial<RunDocument> = {}): RunDocument {
  const startedAt = new Date().toISOString();
  return {
    schema: RUN_SCHEMA,
    id: randomUUID(),
    startedAt,
    finishedAt: startedAt,
    profile: 'quick',
    gilbenchVersion: '0.1.0',
    machine: basicMachine(1),
    jobId: null,
    modes: [fixtureMode('gil')],
    suites: [{ name: 'selftest', description: '', benchmarks: [] }],
    results: [buildResult()],
    warnings: [],
    ...overrides,
  };
}

/**
 * The result as if its body took `factor` times as long: samples and every
 * statistic are scaled; the loop cost is scaled too, unless `loopCost: 'keep'`
 * (then each sample's time net of the loop cost is scaled and the loop cost stays).
 * @example scaleResult(result, 1.05).stats?.median // 5% above result.stats.median
 * @example scaleResult(result, 1.05, { loopCost: 'keep' }).loopCostNs === result.loopCostNs
 */
export function scaleResult(r: Result, factor: number, opts: { loopCost?: 'scale' | 'keep' } = {}): Result {
  const keep = opts.loopCost === 'keep';
  return {
    ...r,
    samples: keep ? r.samples.map((s) => (s - r.loopCostNs) * factor + r.loopCostNs) : r.samples.map((s) => s * factor),
    loopCostNs: keep ? r.loopCostNs : r.loopCostNs * factor,
    stats: r.stats && {
      ...r.stats,
      mean: r.stats.mean * factor,
      median: r.stats.median * factor,
      min: r.stats.min * factor,
      max: r.stats.max * factor,
      sd: r.stats.sd * factor,
      ciLow: r.stats.ciLow * factor,
      ciHigh: r.stats.ciHigh * factor,
    },
    warnings: [...r.warnings],
  };
}

/**
 * Raw samples (ns per operation, loop cost included): loopCostNs + median·e^(σz),
 * and with probability `outlierRate` a sample 20-60% slower.
 * @example lognormalSamples({ seed: 1, n: 30, medianNs: 100 })
 */
export function lognormalSamples(spec: {
  seed: number;
  n: number;
  medianNs: number;
  sigma?: number;
  loopCostNs?: number;
  outlierRate?: number;
}): number[] {
  const next = createRng(spec.seed);
  const sigma = spec.sigma ?? 0.02;
  const outlierRate = spec.outlierRate ?? 0.05;
  return Array.from({ length: spec.n }, () => {
    let body = spec.medianNs * Math.exp(sigma * normalDeviate(next));
    if (next() < outlierRate) body *= 1.2 + 0.4 * next();
    return (spec.loopCostNs ?? 0) + body;
  });
}

/**
 * One of the three usual modes of CPython 3.13.5 (`gil`, or `nogil`/`ft-gil` of the free-threaded build).
 * @example fixtureMode('nogil').id // 'cpython-3.13.5t/nogil'
 */
export function fixtureMode(mode: ModeName, version = '3.13.5'): Mode {
  const freeThreaded = mode !== 'gil';
  const runtimeId = freeThreaded ? `cpython-${version}t` : `cpython-${version}`;
  return {
    id: `${runtimeId}/${mode}`,
    mode,
    env: mode === 'nogil' ? { PYTHON_GIL: '0' } : mode === 'ft-gil' ? { PYTHON_GIL: '1' } : {},
    runtime: {
      id: runtimeId,
      implementation: 'cpython',
      version,
      freeThreaded,
      gilEnabledByDefault: !freeThreaded,
      configureArgs: freeThreaded ? '--disable-gil --enable-optimizations' : '--enable-optimizations',
      compiler: 'GCC 12.2.0',
      revision: `${version}-2`,
      executable: `/home/bench/.cache/gilbench/cpython/${version}/${freeThreaded ? 'freethreaded/bin/python3.13t' : 'default/bin/python3.13'}`,
      sha256: createHash('sha256').update(runtimeId).digest('hex'),
    },
  };
}

/** The three usual modes, gil first. */
export const FIXTURE_MODES: readonly Mode[] = [fixtureMode('gil'), fixtureMode('nogil'), fixtureMode('ft-gil')];

export interface FixtureResultSpec {
  suite: string;
  benchmark: string;
  params?: CaseParams;
  mode: Mode;
  /** Median body time (after the loop cost). */
  medianNs: number;
  seed: number;
  n?: number;
  sigma?: number;
  loopCostNs?: number;
  status?: Result['status'];
  checksum?: string | null;
}

/**
 * A result with generated samples; `stats` is left null (the harness fills it).
 * @example fixtureResult({ suite: 's', benchmark: 'b', mode: fixtureMode('gil'), medianNs: 50, seed: 3 })
 */
export function fixtureResult(spec: FixtureResultSpec): Result {
  const status = spec.status ?? 'ok';
  const loopCostNs = spec.loopCostNs ?? 0;
  const samples =
    status === 'error'
      ? []
      : lognormalSamples({ seed: spec.seed, n: spec.n ?? 30, medianNs: spec.medianNs, sigma: spec.sigma, loopCostNs });
  return buildResult({
    suite: spec.suite,
    benchmark: spec.benchmark,
    params: spec.params ?? {},
    mode: spec.mode.id,
    status,
    samples,
    loopCostNs,
    loops: 100_000,
    processes: 3,
    stats: null,
    peakRssBytes: 12_000_000,
    checksum: spec.checksum === undefined ? '42' : spec.checksum,
    gil: { afterLoad: spec.mode.mode !== 'nogil', afterRun: spec.mode.mode !== 'nogil' },
    load: { before: 0.5, after: 0.6 },
    wallMs: 1500,
    error: status === 'error' ? { message: 'worker exited with code 1', stderrTail: 'Traceback ...' } : null,
  });
}

/**
 * A run document around the given results, validated with the schema.
 * @example fixtureRunDocument([result], [fixtureMode('gil'), fixtureMode('nogil')])
 */
export function fixtureRunDocument(results: Result[], modes: Mode[] = allModes()): RunDocument {
  const suiteNames = [...new Set(results.map((r) => r.suite))];
  return RunDocument.parse({
    schema: RUN_SCHEMA,
    id: '0b9f6a8e-4c1d-4f2a-9e3b-7d5c1a2b3c4d',
    startedAt: '2025-06-01T02:00:00Z',
    finishedAt: '2025-06-01T02:10:00Z',
    profile: 'quick',
    gilbenchVersion: '0.1.0',
    machine: {
      fingerprint: 'fixture-machine-0001',
      hostname: 'bench-1',
      os: 'Debian GNU/Linux 12',
      kernel: '6.1.0',
      arch: 'x64',
      cpu: { brand: 'Fixture CPU', cores: 2, physicalCores: 1, usableCores: 2, governor: null },
      memoryBytes: 4_000_000_000,
    },
    modes,
    suites: suiteNames.map((name) => ({
      name,
      description: `${name} fixture suite`,
      benchmarks: [...new Set(results.filter((r) => r.suite === name).map((r) => r.benchmark))].map((b) => ({
        name: b,
        description: `${b} fixture`,
        params: {},
        opsPerLoop: 1,
      })),
    })),
    results,
    warnings: [],
  });
}

function allModes(): Mode[] {
  return [...FIXTURE_MODES];
}

/**
 * A realistic small run: `single-thread` (a slowdown, no change, an empty
 * body) and `scaling` (threads 1/2/4, a checksum mismatch, a failed case).
 * @example compareRun(sampleRunDocument())
 */
export function sampleRunDocument(): RunDocument {
  const [gil, nogil, ftGil] = allModes() as [Mode, Mode, Mode];
  const results: Result[] = [];
  let seed = 1;
  const add = (spec: Omit<FixtureResultSpec, 'seed'>) => results.push(fixtureResult({ ...spec, seed: seed++ }));
  const single = { suite: 'single-thread', loopCostNs: 15 };
  for (const [mode, ns] of [
    [gil, 30],
    [nogil, 40],
    [ftGil, 41],
  ] as const)
    add({ ...single, benchmark: 'int-add', mode, medianNs: ns });
  for (const mode of [gil, nogil, ftGil]) add({ ...single, benchmark: 'attr-read', mode, medianNs: 20 });
  for (const mode of [gil, nogil, ftGil]) add({ ...single, benchmark: 'empty-body', mode, medianNs: 0.05, sigma: 0.5 });
  for (const threads of [1, 2, 4]) {
    const scaling = { suite: 'scaling', benchmark: 'shared-dict-read', params: { threads }, loopCostNs: 12 };
    add({ ...scaling, mode: gil, medianNs: 80 * threads });
    add({ ...scaling, mode: nogil, medianNs: 95 + 5 * threads });
    add({ ...scaling, mode: ftGil, medianNs: 85 * threads, status: threads === 4 ? 'error' : 'ok' });
    const append = { suite: 'scaling', benchmark: 'list-append', params: { threads }, loopCostNs: 12 };
    add({ ...append, mode: gil, medianNs: 50 * threads, checksum: String(1000 * threads) });
    add({ ...append, mode: nogil, medianNs: 70, checksum: threads === 2 ? '1998' : String(1000 * threads) });
    add({ ...append, mode: ftGil, medianNs: 52 * threads, checksum: String(1000 * threads) });
  }
  return fixtureRunDocument(results, [gil, nogil, ftGil]);
}
