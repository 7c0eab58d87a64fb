/**
 * Measures one case in one mode: starts the worker processes, calibrates,
 * lets tinybench drive warm-ups and samples round-robin over the processes,
 * and returns the schema's `Result` (statistics included).
 *
 * tinybench works in milliseconds; the in-runtime nanoseconds cross into it
 * exactly once, as `overriddenDuration`, and the ns samples we keep are the
 * worker's own integers, in the order they were taken.
 *
 * @example
 * const result = await measureCase({ mode, suite: 'selftest', file, benchmark: 'empty', params: {}, profile: getProfile('quick') });
 */
import { Bench } from 'tinybench';
import type { CaseParams, Mode, Result, Warning } from '../schema.ts';
import { assessStability, describeAfterLoopCost, median } from '../stats/index.ts';
import { WorkerError, type WorkerHello, WorkerProcess } from '../worker/client.ts';
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
}

/** Runs the case; never throws for a benchmark's fault: that becomes an errored result. */
export async function measureCase(spec: CaseSpec): Promise<Result> {
  const started = performance.now();
  const { profile } = spec;
  const workers: WorkerProcess[] = [];
  const samples: number[] = [];
  const warnings: Warning[] = [];
  const base: Result = {
    suite: spec.suite,
    benchmark: spec.benchmark,
    params: spec.params,
    mode: spec.mode.id,
    status: 'ok',
    unit: 'ns',
    samples,
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
    warnings,
    error: null,
  };
  // tinybench adds abort listeners it never removes: a signal of this case's
  // own, fed by the caller's, keeps them from piling up over a long run.
  const caseSignal = new AbortController();
  const abort = () => {
    caseSignal.abort();
    for (const w of workers) w.kill();
  };
  spec.signal?.addEventListener('abort', abort, { once: true });
  let lastWorker: WorkerProcess | null = null;
  try {
    const loaded = await Promise.all(
      Array.from({ length: profile.processes }, async (): Promise<Loaded> => {
        const { worker, hello } = await WorkerProcess.start({
          python: spec.mode.runtime.executable,
          ...modeEnvironment(spec.mode),
          timeoutMs: profile.requestTimeoutMs,
        });
        workers.push(worker);
        lastWorker = worker;
        const reply = await worker.request<{
          checksum: string | null;
          ops: number;
          threaded: boolean;
          gil_enabled: boolean;
        }>({ cmd: 'load', file: spec.file, benchmark: spec.benchmark, params: spec.params, pin: spec.pin ?? false });
        return {
          worker,
          hello,
          checksum: reply.checksum,
          ops: reply.ops,
          threaded: reply.threaded,
          gilAfterLoad: reply.gil_enabled,
        };
      }),
    );
    spec.signal?.throwIfAborted();
    const first = loaded[0]!;
    base.processes = loaded.length;
    base.opsPerLoop = first.ops;
    base.checksum = first.checksum;
    base.gil.afterLoad = loaded.some((l) => l.gilAfterLoad);
    const checksums = new Set(loaded.map((l) => l.checksum));
    if (checksums.size > 1) {
      throw new WorkerError(
        'benchmark',
        `the checksum differs between worker processes: ${[...checksums].join(' vs ')}`,
        '',
      );
    }

    const before = cpuSnapshot(workers.map((w) => w.pid));
    base.load.before = before.loadAvg1;
    const { loops } = await first.worker.request<{ loops: number }>({
      cmd: 'calibrate',
      target_ns: profile.targetSampleNs,
    });
    base.loops = loops;
    // Every sample carries its own empty-loop timing (a quarter of the loops);
    // the loop cost is their median, taken in the same window as the samples.
    const emptyLoops = first.threaded ? 0 : Math.max(1, Math.ceil(loops / 4));
    const emptyPerLoop: number[] = [];

    let next = 0;
    let recording = false;
    const bench = new Bench({
      iterations: profile.processes * profile.samplesPerProcess,
      warmupIterations: profile.processes * profile.warmupsPerProcess,
      time: 0,
      warmupTime: 0,
      throws: true,
      signal: caseSignal.signal,
    });
    bench.add(
      spec.benchmark,
      async () => {
        const worker = loaded[next++ % loaded.length]!.worker;
        const { ns, empty_ns } = await worker.request<{ ns: number; empty_ns: number | null }>({
          cmd: 'sample',
          loops,
          empty_loops: emptyLoops,
        });
        if (recording) {
          samples.push(ns / loops / first.ops);
          if (empty_ns !== null) emptyPerLoop.push(empty_ns / emptyLoops);
        }
        return { overriddenDuration: ns / 1e6 }; // tinybench's unit is the millisecond
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
    base.loopCostNs = emptyPerLoop.length ? median(emptyPerLoop) / first.ops : 0;

    const gilAfter = await Promise.all(loaded.map((l) => l.worker.request<{ gil_enabled: boolean }>({ cmd: 'gil' })));
    base.gil.afterRun = gilAfter.some((g) => g.gil_enabled);
    const rss = await Promise.all(
      loaded.map((l) => l.worker.request<{ peak_rss_bytes: number | null }>({ cmd: 'rss' })),
    );
    const peaks = rss.map((r) => r.peak_rss_bytes).filter((v): v is number => typeof v === 'number');
    base.peakRssBytes = peaks.length ? Math.max(...peaks) : null;

    const after = cpuSnapshot(workers.map((w) => w.pid));
    base.load.after = after.loadAvg1;
    const others = otherLoad(before, after);
    if (others !== null && others > BUSY_CORES) {
      warnings.push({
        code: 'machine-busy',
        message: `other processes used ${others.toFixed(2)} cores on average during this case`,
      });
    }

    const totalNs = (samples[0] ?? 0) * loops * first.ops;
    if (samples.length && totalNs < TIMER_HEADROOM * first.hello.timer_resolution_ns) {
      warnings.push({
        code: 'timer-saturated',
        message: `a sample lasts ${totalNs} ns, too close to the timer's resolution of ${first.hello.timer_resolution_ns} ns`,
      });
    }
    if (spec.mode.mode === 'nogil' && (base.gil.afterLoad || base.gil.afterRun)) {
      base.status = 'invalid';
      warnings.push({
        code: 'gil-reenabled',
        message:
          'the GIL was enabled while this nogil case ran (an imported extension not marked free-threading-safe turns it back on); the result is invalid',
      });
    }
    base.stats = describeAfterLoopCost(samples, base.loopCostNs, { processes: loaded.length });
    warnings.push(...assessStability(base.stats, { maxMargin: profile.maxMargin, minSamples: profile.minSamples }));
  } catch (err) {
    base.status = 'error';
    samples.length = 0;
    base.stats = null;
    if (spec.signal?.aborted) {
      base.error = { message: 'interrupted', stderrTail: '' };
    } else if (err instanceof WorkerError) {
      base.error = { message: err.message, stderrTail: err.stderrTail };
    } else {
      const tail = (lastWorker as WorkerProcess | null)?.stderrTail ?? '';
      base.error = { message: err instanceof Error ? err.message : String(err), stderrTail: tail };
    }
  } finally {
    spec.signal?.removeEventListener('abort', abort);
    await Promise.all(workers.map((w) => w.close()));
    base.wallMs = performance.now() - started;
  }
  return base;
}
