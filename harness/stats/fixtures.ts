/**
 * Deterministic run documents for tests (this area's and anyone's): valid
 * per the schema, with lognormal samples and the occasional outlier a shared
 * machine produces, all from a seeded PRNG.
 */
import { type CaseParams, type Mode, type ModeName, type Result, RUN_SCHEMA, RunDocument } from '../schema.ts';
import { createRng, normalDeviate } from './prng.ts';

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
 * One of the three usual modes of CPython 3.13.5.
 * @example fixtureMode('nogil').id // 'cpython-3.13.5t/nogil'
 */
export function fixtureMode(mode: ModeName): Mode {
  const freeThreaded = mode !== 'gil';
  const runtimeId = freeThreaded ? 'cpython-3.13.5t' : 'cpython-3.13.5';
  return {
    id: `${runtimeId}/${mode}`,
    mode,
    env: mode === 'nogil' ? { PYTHON_GIL: '0' } : mode === 'ft-gil' ? { PYTHON_GIL: '1' } : {},
    runtime: {
      id: runtimeId,
      implementation: 'cpython',
      version: '3.13.5',
      freeThreaded,
      gilEnabledByDefault: !freeThreaded,
      configureArgs: freeThreaded ? '--disable-gil' : '',
      compiler: 'gcc 12.2.0',
      revision: '3.13.5-2',
      executable: `/home/user/.cache/gilbench/cpython/3.13.5/${freeThreaded ? 'freethreaded/bin/python3.13t' : 'default/bin/python3.13'}`,
      sha256: (freeThreaded ? 'b' : 'a').repeat(64),
    },
  };
}

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
  return {
    suite: spec.suite,
    benchmark: spec.benchmark,
    params: spec.params ?? {},
    mode: spec.mode.id,
    status,
    unit: 'ns',
    samples,
    loopCostNs,
    loops: 100_000,
    opsPerLoop: 1,
    processes: 3,
    stats: null,
    peakRssBytes: 12_000_000,
    checksum: spec.checksum === undefined ? '42' : spec.checksum,
    gil: { afterLoad: spec.mode.mode !== 'nogil', afterRun: spec.mode.mode !== 'nogil' },
    load: { before: 0.5, after: 0.6 },
    wallMs: 1500,
    warnings: [],
    error: status === 'error' ? { message: 'worker exited with code 1', stderrTail: 'Traceback ...' } : null,
  };
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
  return [fixtureMode('gil'), fixtureMode('nogil'), fixtureMode('ft-gil')];
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
