/**
 * Measures one case in one or more modes: starts the worker processes of
 * every mode, calibrates each mode, lets tinybench drive warm-ups and samples
 * round-robin over the processes with the modes interleaved, and returns the
 * schema's `Result` per mode (statistics included).
 *
 * Why interleave: this machine's own speed drifts by a few percent over
 * seconds (`harness/bench/machine_drift.py`). Measured one after the other,
 * two modes would see different machines; interleaved sample by sample, they
 * see the same drift, so their ratio is stable, and each mode's samples span
 * the whole case instead of a third of it.
 *
 * tinybench works in milliseconds; the in-runtime nanoseconds cross into it
 * exactly once, as `overriddenDuration`, and the ns samples we keep are the
 * worker's own integers, in the order they were taken.
 *
 * @example
 * const result = await measureCase({ mode, suite: 'selftest', file, benchmark: 'empty', params: {}, profile: getProfile('quick') });
 */
import { Bench } from 'tinybench';
import type { CaseParams, Mode, Result } from '../schema.ts';
import { assessStability, describeAfterLoopCost, median } from '../stats/index.ts';
import { WorkerError, type WorkerHello, WorkerProcess } from '../worker/client.ts';
import type { WorkerRequest } from '../worker/protocol.ts';
import { cpuSnapshot, otherLoad } from './cpu-load.ts';
import type { Profile } from './profiles.ts';

/** Cores' worth of other processes' CPU use during a case above which the machine was busy. */
const BUSY_CORES = 0.25;
/** A sample this many times the timer's resolution or shorter is timer-saturated. */
const TIMER_HEADROOM = 1000;

export interface CaseSpec {
  mode: Mode;
  suite: string;
  /** The suite's Python file. */
  file: string;
  benchmark: string;
  params: CaseParams;
  profile: Profile;
  /** Pin thread i to usable core i (threaded cases). */
  pin?: boolean;
  signal?: AbortSignal;
}

/** Environment changes that make a worker run in the given mode. */
export function modeEnvironment(mode: Mode): { env: Record<string, string>; unsetEnv: string[] } {
  // The `gil` mode must not inherit a PYTHON_GIL meant for something else.
  return { env: mode.env, unsetEnv: 'PYTHON_GIL' in mode.env ? [] : ['PYTHON_GIL'] };
}

interface Loaded {
  worker: WorkerProcess;
  hello: WorkerHello;
  checksum: string | null;
  ops: number;
  threaded: boolean;
  gilAfterLoad: boolean;
  /** Modules whose import turned the GIL on (the worker's `gil_enabled_by`). */
  gilEnabledBy: string[];
}

/** One mode of a case while it is measured. */
interface ModeRun {
  mode: Mode;
  result: Result;
  workers: WorkerProcess[];
  loaded: Loaded[];
  loops: number;
  emptyLoops: number;
  emptyPerLoop: number[];
  /** Set once the mode has failed: its remaining samples are skipped. */
  failed: boolean;
}

export type InterleavedCaseSpec = Omit<CaseSpec, 'mode'> & { modes: Mode[] };

/** Runs the case in one mode; never throws for a benchmark's fault: that becomes an errored result. */
export async function measureCase(spec: CaseSpec): Promise<Result> {
  const { mode, ...rest } = spec;
  const [result] = await measureCaseInModes({ ...rest, modes: [mode] });
  return result!;
}

/**
 * Runs the case in every mode at once, samples interleaved; one result per
 * mode, in the order given. A mode that fails (crash, hang, exception) becomes
 * an errored result and the others go on.
 */
export async function measureCaseInModes(spec: InterleavedCaseSpec): Promise<Result[]> {
  const started = performance.now();
  const { profile } = spec;
  const runs: ModeRun[] = spec.modes.map((mode) => ({
    mode,
    result: emptyResult(spec, mode),
    workers: [],
    loaded: [],
    loops: 0,
    emptyLoops: 0,
    emptyPerLoop: [],
    failed: false,
  }));
  const allWorkers = () => runs.flatMap((r) => r.workers);
  // tinybench adds abort listeners it never removes: a signal of this case's
  // own, fed by the caller's, keeps them from piling up over a long run.
  const caseSignal = new AbortController();
  const abort = () => {
    caseSignal.abort();
    for (const w of allWorkers()) w.kill();
  };
  spec.signal?.addEventListener('abort', abort, { once: true });
  const fail = (run: ModeRun, err: unknown) => {
    if (run.failed) return;
    run.failed = true;
    for (const w of run.workers) w.kill();
    run.result.error = describeError(err, run.workers.at(-1) ?? null);
  };
  const live = () => runs.filter((r) => !r.failed);
  try {
    await Promise.all(runs.map((run) => startMode(spec, run).catch((err) => fail(run, err))));
    spec.signal?.throwIfAborted();

    const before = cpuSnapshot(allWorkers().map((w) => w.pid));
    for (const run of live()) {
      try {
        const first = run.loaded[0]!;
        const { loops } = await first.worker.request({
          cmd: 'calibrate',
          target_ns: profile.targetSampleNs,
        });
        run.loops = loops;
        run.result.loops = loops;
        // Every sample carries its own empty-loop timing (a quarter of the loops);
        // the loop cost is their median, taken in the same window as the samples.
        run.emptyLoops = first.threaded ? 0 : Math.max(1, Math.ceil(loops / 4));
      } catch (err) {
        spec.signal?.throwIfAborted();
        fail(run, err);
      }
    }

    // One round takes a sample from process p of every mode, for every p: modes
    // alternate sample by sample, and each process is visited once per round.
    const schedule: Array<{ run: ModeRun; process: number }> = [];
    for (let p = 0; p < profile.processes; p++) for (const run of runs) schedule.push({ run, process: p });
    let next = 0;
    let recording = false;
    const bench = new Bench({
      iterations: schedule.length * profile.samplesPerProcess,
      warmupIterations: schedule.length * profile.warmupsPerProcess,
      time: 0,
      warmupTime: 0,
      throws: true,
      signal: caseSignal.signal,
    });
    bench.add(
      spec.benchmark,
      async () => {
        const { run, process } = schedule[next++ % schedule.length]!;
        if (run.failed) return { overriddenDuration: 0 };
        try {
          const { ns, empty_ns } = await run.loaded[process]!.worker.request({
            cmd: 'sample',
            loops: run.loops,
            empty_loops: run.emptyLoops,
          });
          if (recording) {
            run.result.samples.push(ns / run.loops / run.result.opsPerLoop);
            if (empty_ns !== null) run.emptyPerLoop.push(empty_ns / run.emptyLoops);
          }
          return { overriddenDuration: ns / 1e6 }; // tinybench's unit is the millisecond
        } catch (err) {
          if (caseSignal.signal.aborted) throw err;
          fail(run, err);
          return { overriddenDuration: 0 };
        }
      },
      {
        beforeAll(mode) {
          recording = mode === 'run';
          next = 0;
        },
      },
    );
    await bench.run();
    spec.signal?.throwIfAborted();

    for (const run of live()) {
      try {
        await finishMode(run);
      } catch (err) {
        fail(run, err);
      }
    }
    const after = cpuSnapshot(allWorkers().map((w) => w.pid));
    const others = otherLoad(before, after);
    for (const run of live()) {
      run.result.load = { before: before.loadAvg1, after: after.loadAvg1 };
      if (others !== null && others > BUSY_CORES) {
        run.result.warnings.push({
          code: 'machine-busy',
          message: `other processes used ${others.toFixed(2)} cores on average during this case`,
        });
      }
      judge(run, profile);
    }
  } catch (err) {
    for (const run of live()) fail(run, err);
  } finally {
    spec.signal?.removeEventListener('abort', abort);
    await Promise.all(allWorkers().map((w) => w.close()));
  }
  if (spec.signal?.aborted) {
    // Whatever a killed worker said on the way down, the cause was the interruption.
    for (const run of runs) {
      run.failed = true;
      run.result.error = { message: 'interrupted', stderrTail: '' };
    }
  }
  // The modes shared the case's wall time; each is charged its share.
  const wallMs = (performance.now() - started) / runs.length;
  for (const run of runs) {
    run.result.wallMs = wallMs;
    if (run.failed) {
      run.result.status = 'error';
      run.result.samples.length = 0;
      run.result.stats = null;
    }
  }
  return runs.map((r) => r.result);
}

function emptyResult(spec: InterleavedCaseSpec, mode: Mode): Result {
  return {
    suite: spec.suite,
    benchmark: spec.benchmark,
    params: spec.params,
    mode: mode.id,
    status: 'ok',
    unit: 'ns',
    samples: [],
    loopCostNs: 0,
    loops: 0,
    opsPerLoop: 1,
    processes: 0,
    stats: null,
    peakRssBytes: null,
    checksum: null,
    gil: { afterLoad: null, afterRun: null },
    load: { before: null, after: null },
    wallMs: 0,
    warnings: [],
    error: null,
  };
}

/** Starts the mode's worker processes and loads the case in each; the checksums must agree. */
async function startMode(spec: InterleavedCaseSpec, run: ModeRun): Promise<void> {
  // allSettled, not all: every process must have started (and be known to the
  // caller, which closes them) before a failure of one is reported.
  const settled = await Promise.allSettled(
    Array.from({ length: spec.profile.processes }, async (): Promise<Loaded> => {
      const { worker, hello } = await WorkerProcess.start({
        python: run.mode.runtime.executable,
        ...modeEnvironment(run.mode),
        timeoutMs: spec.profile.requestTimeoutMs,
      });
      run.workers.push(worker);
      const reply = await worker.request(loadRequest(spec));
      return {
        worker,
        hello,
        checksum: reply.checksum,
        ops: reply.ops,
        threaded: reply.threaded,
        gilAfterLoad: reply.gil_enabled,
        gilEnabledBy: reply.gil_enabled_by ?? [],
      };
    }),
  );
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
  run.loaded = settled.map((s) => (s as PromiseFulfilledResult<Loaded>).value);
  const first = run.loaded[0]!;
  run.result.processes = run.loaded.length;
  run.result.opsPerLoop = first.ops;
  run.result.checksum = first.checksum;
  run.result.gil.afterLoad = run.loaded.some((l) => l.gilAfterLoad);
  addEnabledBy(
    run,
    run.loaded.flatMap((l) => l.gilEnabledBy),
  );
  if (run.mode.mode === 'nogil-forced') addEnabledBy(run, await auditGil(spec, run));
  const checksums = new Set(run.loaded.map((l) => l.checksum));
  if (checksums.size > 1) {
    throw new WorkerError(
      'benchmark',
      `the checksum differs between worker processes: ${[...checksums].join(' vs ')}`,
      '',
    );
  }
}

function loadRequest(spec: InterleavedCaseSpec): WorkerRequest<'load'> {
  return { cmd: 'load', file: spec.file, benchmark: spec.benchmark, params: spec.params, pin: spec.pin ?? false };
}

function addEnabledBy(run: ModeRun, modules: string[]): void {
  const known = run.result.gil.enabledBy ?? [];
  for (const m of modules) if (!known.includes(m)) known.push(m);
  if (known.length) run.result.gil.enabledBy = known;
}

/**
 * For `nogil-forced`: loads the case once more in a worker run as users run the
 * build (no PYTHON_GIL) and returns the modules that turned the GIL on there,
 * i.e. the ones PYTHON_GIL=0 kept from doing so. The worker is closed before sampling.
 */
async function auditGil(spec: InterleavedCaseSpec, run: ModeRun): Promise<string[]> {
  const { worker } = await WorkerProcess.start({
    python: run.mode.runtime.executable,
    env: {},
    unsetEnv: ['PYTHON_GIL'],
    timeoutMs: spec.profile.requestTimeoutMs,
  });
  try {
    const reply = await worker.request(loadRequest(spec));
    return reply.gil_enabled_by ?? [];
  } finally {
    await worker.close();
  }
}

/** After the samples: the loop cost, the GIL state and the peak RSS of the mode's processes. */
async function finishMode(run: ModeRun): Promise<void> {
  run.result.loopCostNs = run.emptyPerLoop.length ? median(run.emptyPerLoop) / run.result.opsPerLoop : 0;
  const gilAfter = await Promise.all(run.loaded.map((l) => l.worker.request({ cmd: 'gil' })));
  run.result.gil.afterRun = gilAfter.some((g) => g.gil_enabled);
  addEnabledBy(
    run,
    gilAfter.flatMap((g) => g.gil_enabled_by ?? []),
  );
  const rss = await Promise.all(run.loaded.map((l) => l.worker.request({ cmd: 'rss' })));
  const peaks = rss.map((r) => r.peak_rss_bytes).filter((v): v is number => typeof v === 'number');
  run.result.peakRssBytes = peaks.length ? Math.max(...peaks) : null;
}

/** Statistics and the warnings that judge them: timer saturation, a re-enabled GIL, stability. */
function judge(run: ModeRun, profile: Profile): void {
  const { result } = run;
  const first = run.loaded[0]!;
  const totalNs = (result.samples[0] ?? 0) * run.loops * result.opsPerLoop;
  if (result.samples.length && totalNs < TIMER_HEADROOM * first.hello.timer_resolution_ns) {
    result.warnings.push({
      code: 'timer-saturated',
      message: `a sample lasts ${totalNs} ns, too close to the timer's resolution of ${first.hello.timer_resolution_ns} ns`,
    });
  }
  const enabledBy = result.gil.enabledBy ?? [];
  if (run.mode.mode === 'nogil' && (result.gil.afterLoad || result.gil.afterRun)) {
    result.status = 'invalid';
    result.warnings.push({ code: 'gil-reenabled', message: gilReenabledMessage(enabledBy) });
  }
  if (run.mode.mode === 'nogil-forced' && enabledBy.length > 0) {
    result.warnings.push({
      code: 'gil-forced-off',
      message: `measured with PYTHON_GIL=0, but ${moduleList(enabledBy)} would have turned the GIL on for users (not declared free-threading-safe); users of the free-threaded build get the GIL unless they set PYTHON_GIL=0`,
    });
  }
  result.stats = describeAfterLoopCost(result.samples, result.loopCostNs, { processes: run.loaded.length });
  result.warnings.push(
    ...assessStability(result.stats, { maxMargin: profile.maxMargin, minSamples: profile.minSamples }),
  );
}

/**
 * Why a nogil result is invalid, naming the modules and what to do.
 * @example gilReenabledMessage(['gilext']) // "the GIL was enabled to load module 'gilext' ..."
 */
export function gilReenabledMessage(enabledBy: string[]): string {
  const who = enabledBy.length
    ? `the GIL was enabled to load ${moduleList(enabledBy)}, which does not declare that it can run without the GIL (Py_mod_gil)`
    : 'the GIL was enabled while this nogil case ran';
  return `${who}: the result is invalid; mark the extension free-threading-safe (Py_mod_gil = Py_MOD_GIL_NOT_USED) and rebuild it, or measure it anyway with --mode nogil-forced`;
}

function moduleList(modules: string[]): string {
  const quoted = modules.map((m) => `'${m}'`);
  return `${modules.length === 1 ? 'module' : 'modules'} ${quoted.join(', ')}`;
}

function describeError(err: unknown, lastWorker: WorkerProcess | null): Result['error'] {
  if (err instanceof WorkerError) return { message: err.message, stderrTail: err.stderrTail };
  return { message: err instanceof Error ? err.message : String(err), stderrTail: lastWorker?.stderrTail ?? '' };
}
