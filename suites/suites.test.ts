/**
 * The built-in suites and the shared-solver example, run by the real worker on
 * real interpreters: python3 (the `gil` mode, via --python) and the
 * free-threaded build without the GIL (`nogil`). Checks what the suites
 * promise (every case loads, runs and gets the same checksum in every mode,
 * bad parameter values are refused clearly) and that a broken user suite is
 * reported with its file and benchmark. No timing is asserted.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../harness/errors.ts';
import { runBenchmarks } from '../harness/run/runner.ts';
import { expandCases, listSuite, resolveSuite, type SuiteListing, type SuiteRef } from '../harness/run/suites.ts';
import { discoverRuntimes } from '../harness/runtimes/discover.ts';
import { resolveModes } from '../harness/runtimes/modes.ts';
import { measureCase, modeEnvironment } from '../harness/sampling/measure.ts';
import { getProfile } from '../harness/sampling/profiles.ts';
import { type CaseParams, caseId, type Mode, RunDocument } from '../harness/schema.ts';
import { WorkerError, WorkerProcess } from '../harness/worker/client.ts';

const SHARED_SOLVER = fileURLToPath(new URL('./examples/shared_solver.py', import.meta.url));
const OUR_SUITES = ['single-thread', 'scaling', 'calls', 'locks'];
// python3 is a pyenv shim on the test machine: name the interpreter it runs.
const PYTHON3 = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();

let modes: Mode[];
let gil: Mode;
let nogil: Mode;
const listings = new Map<string, SuiteListing>();
const refs: SuiteRef[] = [...OUR_SUITES.map(resolveSuite), resolveSuite(SHARED_SOLVER)];

beforeAll(async () => {
  modes = resolveModes(['gil', 'nogil'], await discoverRuntimes({ pythons: [PYTHON3] }));
  [gil, nogil] = modes as [Mode, Mode];
  const { worker } = await WorkerProcess.start({ python: gil.runtime.executable, ...modeEnvironment(gil) });
  try {
    for (const ref of refs) listings.set(ref.name, await listSuite(worker, ref));
  } finally {
    await worker.close();
  }
});

/** Loads one case in a fresh worker, takes one 1-loop sample (threads, hooks), returns the checksum. */
async function checksumOf(mode: Mode, file: string, benchmark: string, params: CaseParams): Promise<string | null> {
  const { worker } = await WorkerProcess.start({ python: mode.runtime.executable, ...modeEnvironment(mode) });
  try {
    const loaded = await worker.request({ cmd: 'load', file, benchmark, params });
    await worker.request({ cmd: 'sample', loops: 1 });
    return loaded.checksum;
  } finally {
    await worker.close();
  }
}

/** Every case of a listing, with `threads` as the harness would set it on a 2-core machine. */
function casesOf(listing: SuiteListing): Array<{ benchmark: string; params: CaseParams }> {
  return listing.benchmarks.flatMap((b) =>
    expandCases('threads' in b.params ? { ...b.params, threads: [1, 2] } : b.params).map((params) => ({
      benchmark: b.name,
      params,
    })),
  );
}

describe('what the suites declare', () => {
  it('single-thread has at least 15 kernels, none threaded or parameterized', () => {
    const st = listings.get('single-thread')!;
    expect(st.benchmarks.length).toBeGreaterThanOrEqual(15);
    for (const b of st.benchmarks) expect(b.params, b.name).toEqual({});
  });

  it('single-thread puts every kernel in a category, the object- and float-object-heavy ones included', () => {
    const st = listings.get('single-thread')!;
    for (const b of st.benchmarks) expect(['numeric', 'objects', 'text', 'data'], b.name).toContain(b.category);
    const names = st.benchmarks.map((b) => b.name);
    for (const kernel of ['constraints', 'board-playout', 'ray-trace', 'particles']) expect(names).toContain(kernel);
  });

  it('scaling has at least 12 workloads, each on threads [1, 2] by default', () => {
    const scaling = listings.get('scaling')!;
    expect(scaling.benchmarks.length).toBeGreaterThanOrEqual(12);
    for (const b of scaling.benchmarks) expect(b.params, b.name).toEqual({ threads: [1, 2] });
  });

  it('calls has arity 0..8 for positional calls and 10 calls per loop everywhere', () => {
    const calls = listings.get('calls')!;
    expect(calls.benchmarks.find((b) => b.name === 'positional')!.params).toEqual({
      arity: [0, 1, 2, 3, 4, 5, 6, 7, 8],
    });
    for (const shape of [
      'keyword',
      'keyword-only',
      'defaults',
      'star-args',
      'kwargs-variadic',
      'bound-method',
      'builtin',
      'partial',
    ]) {
      expect(calls.benchmarks.map((b) => b.name)).toContain(shape);
    }
    for (const b of calls.benchmarks) expect(b.opsPerLoop, b.name).toBe(10);
  });

  it('locks has one benchmark per structure with threads x lock x writer', () => {
    const locks = listings.get('locks')!;
    expect(locks.benchmarks.map((b) => b.name).sort()).toEqual(['attr-read', 'dict-read', 'global-read', 'list-read']);
    for (const b of locks.benchmarks) {
      expect(b.params).toEqual({ threads: [1, 2], lock: ['none', 'lock', 'rlock', 'private'], writer: [false, true] });
    }
  });
});

describe('every case loads, runs and has one checksum on python3 (gil) and the free-threaded build (nogil)', () => {
  for (const ref of refs) {
    it(`${ref.name}`, async () => {
      const cases = casesOf(listings.get(ref.name)!);
      const sums = await Promise.all(
        [gil, nogil].map(async (mode) => {
          const out: Array<string | null> = [];
          for (const c of cases) out.push(await checksumOf(mode, ref.file, c.benchmark, c.params));
          return out;
        }),
      );
      cases.forEach((c, i) => {
        const id = caseId(ref.name, c.benchmark, c.params);
        expect(sums[0]![i], `${id} has no checksum`).toMatch(/^[0-9a-f]{16}$/);
        expect(sums[1]![i], `${id}: ${gil.id} vs ${nogil.id}`).toBe(sums[0]![i]);
      });
    }, 600_000);
  }
});

describe('the suites in the quick profile through the runner', () => {
  // The whole single-thread suite; a slice of the larger matrices, threaded cases at 1 and 2 threads.
  const runs: Array<[string, string | undefined]> = [
    ['single-thread', undefined],
    ['scaling', '/(independent-arith|shared-dict-read|tuple-constant)\\['],
    ['calls', '/(positional\\[arity=[08]|kwargs\\[arity=8|bound-method\\[arity=1)\\]'],
    ['locks', '/(dict-read|global-read)\\[lock=(none|rlock|private),threads=2,writer=true\\]'],
    [SHARED_SOLVER, undefined],
  ];
  for (const [suite, filter] of runs) {
    it(`${suite}${filter ? ` ${filter}` : ''}`, async () => {
      const doc = await runBenchmarks({
        suites: [suite],
        modes: ['gil', 'nogil'],
        pythons: [PYTHON3],
        profile: 'quick',
        filter,
        threads: [1, 2],
      });
      expect(RunDocument.safeParse(doc).success).toBe(true);
      expect(doc.modes.map((m) => m.id)).toEqual([gil.id, nogil.id]);
      const quick = getProfile('quick');
      const checksums = new Map<string, Set<string | null>>();
      for (const r of doc.results) {
        const id = caseId(r.suite, r.benchmark, r.params);
        expect(r.status, `${id} in ${r.mode}: ${r.error?.message}`).toBe('ok');
        expect(r.samples.length, id).toBe(quick.processes * quick.samplesPerProcess);
        expect(r.gil.afterRun, id).toBe(r.mode === gil.id);
        expect(r.peakRssBytes, id).toBeGreaterThan(1_000_000);
        checksums.set(id, (checksums.get(id) ?? new Set()).add(r.checksum));
      }
      expect(checksums.size).toBeGreaterThan(0);
      for (const [id, sums] of checksums) expect([...sums], id).toHaveLength(1);
    }, 600_000);
  }
});

describe('case parameters are validated', () => {
  const quick = { ...getProfile('quick'), requestTimeoutMs: 30_000 };
  const cases: Array<[string, string, CaseParams, string]> = [
    ['calls', 'positional', { arity: 9 }, 'calls/positional: arity=9 is not supported; use one of [0, 1, 2'],
    ['calls', 'partial', { arity: 0 }, 'calls/partial: arity=0 is not supported; use one of [1, 4, 8]'],
    ['locks', 'dict-read', { threads: 1, lock: 'spinlock', writer: false }, "locks: lock='spinlock' is not supported"],
    ['locks', 'list-read', { threads: 1, lock: 'none', writer: 'yes' }, "locks: writer='yes' must be true or false"],
    [SHARED_SOLVER, 'shared-solver', { threads: 1, sharing: 'both' }, "sharing='both' is not supported"],
  ];
  for (const [suite, benchmark, params, message] of cases) {
    it(`${suite.split('/').pop()} ${benchmark} ${JSON.stringify(params)}: an error that says which value and what to use`, async () => {
      const ref = resolveSuite(suite);
      const r = await measureCase({ mode: nogil, suite: ref.name, file: ref.file, benchmark, params, profile: quick });
      expect(r.status).toBe('error');
      expect(r.error!.message).toContain(ref.file);
      expect(r.error!.message).toContain(message);
      expect(r.samples).toEqual([]);
    });
  }

  it('an unknown parameter name is refused by the worker', async () => {
    const ref = resolveSuite('calls');
    const r = await measureCase({
      mode: gil,
      suite: 'calls',
      file: ref.file,
      benchmark: 'positional',
      params: { arity: 1, depth: 3 },
      profile: quick,
    });
    expect(r.status).toBe('error');
    expect(r.error!.message).toContain("benchmark positional has no parameter 'depth'");
  });
});

describe('a broken user suite gives a clear error naming the file and the benchmark', () => {
  let dir: string;
  const write = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gilbench-suites-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function runError(file: string): Promise<unknown> {
    return runBenchmarks({ suites: [file], modes: ['gil'], pythons: [PYTHON3], profile: 'quick' }).then(
      () => null,
      (err: unknown) => err,
    );
  }

  it('a syntax error: a usage error with the file and line', async () => {
    const file = write('syntax_error.py', '"""Broken."""\n\ndef bench_x(loops, ctx)\n    pass\n');
    const err = await runError(file);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toContain(`${file}:3: syntax error`);
  });

  it('BENCHMARKS naming a function that does not exist', async () => {
    const file = write(
      'missing.py',
      '"""Missing."""\nBENCHMARKS = {"ghost": {"ops": 1}}\n\ndef bench_real(loops, ctx):\n    pass\n',
    );
    const err = await runError(file);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toContain(`${file}: BENCHMARKS names ghost but there is no bench_ghost function`);
  });

  it('a file with no benchmark at all', async () => {
    const file = write('empty_suite.py', '"""Nothing here."""\n\ndef helper():\n    return 1\n');
    const err = await runError(file);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toContain(`${file}: no benchmarks found`);
  });

  it('a benchmark that raises, a setup that raises, and a thread that raises: errored results, the others fine', async () => {
    const file = write(
      'raising.py',
      [
        '"""Some benchmarks fail."""',
        'BENCHMARKS = {"threaded": {"params": {"threads": [1, 2]}}}',
        'def bench_fine(loops, ctx):',
        '    for _ in range(loops):',
        '        pass',
        '    return 1',
        'def bench_raises(loops, ctx):',
        '    raise KeyError("no such row")',
        'def setup_bad_setup():',
        '    raise RuntimeError("no database")',
        'def bench_bad_setup(loops, ctx):',
        '    pass',
        'def thread_threaded(ctx, index):',
        '    return index',
        'def bench_threaded(loops, index):',
        '    if index == 1:',
        '        raise ValueError("thread 1 fails")',
        '',
      ].join('\n'),
    );
    const doc = await runBenchmarks({
      suites: [file],
      modes: ['gil'],
      pythons: [PYTHON3],
      profile: 'quick',
      threads: [2],
    });
    const byName = new Map(doc.results.map((r) => [r.benchmark, r]));
    expect(byName.get('fine')!.status).toBe('ok');
    expect(byName.get('raises')!.status).toBe('error');
    expect(byName.get('raises')!.error!.message).toContain(`${file}: bench_raises raised KeyError: 'no such row'`);
    expect(byName.get('bad-setup')!.error!.message).toContain(
      `${file}: setup_bad_setup raised RuntimeError: no database`,
    );
    expect(byName.get('threaded')!.status).toBe('error');
    expect(byName.get('threaded')!.error!.message).toContain(
      `${file}: bench_threaded raised ValueError: thread 1 fails (thread 1)`,
    );
  });

  it('an import that fails: the worker error names the file', async () => {
    const file = write('bad_import.py', 'import gilbench_no_such_module\n\ndef bench_x(loops, ctx):\n    pass\n');
    const err = await runError(file);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toContain(`${file}: import failed: ModuleNotFoundError`);
    expect(err).not.toBeInstanceOf(WorkerError);
  });
});
