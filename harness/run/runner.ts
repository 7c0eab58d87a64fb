/**
 * One run: resolve modes to runtimes, read the suites' case matrices, measure
 * every case in every mode, cross-check checksums between modes, and return
 * the run document (`gilbench.run/v1`).
 *
 * Modes are interleaved per case (case A in gil, nogil, ft-gil, then case B…),
 * so slow drift of a shared machine falls on every mode alike.
 *
 * @example
 * const doc = await runBenchmarks({ suites: ['selftest'], modes: ['gil', 'nogil'], profile: 'quick' });
 */
import { randomUUID } from 'node:crypto';
import { UsageError } from '../errors.ts';
import { basicMachine } from '../machine.ts';
import { discoverRuntimes } from '../runtimes/discover.ts';
import { resolveModes } from '../runtimes/modes.ts';
import { measureCaseInModes, modeEnvironment } from '../sampling/measure.ts';
import { getProfile, type Profile } from '../sampling/profiles.ts';
import {
  type CaseParams,
  caseId,
  type Machine,
  type Mode,
  type ModeName,
  type Result,
  RUN_SCHEMA,
  type RunDocument,
  RunDocument as RunDocumentSchema,
  type SuiteInfo,
} from '../schema.ts';
import { WorkerProcess } from '../worker/client.ts';
import { expandCases, listSuite, resolveSuite, type SuiteListing, threadCounts } from './suites.ts';

export const GILBENCH_VERSION = '0.1.0';

export interface RunOptions {
  /** Built-in suite names or paths to user suite files. */
  suites: string[];
  modes: ModeName[];
  profile: string | Profile;
  /** Extra interpreters to consider (`--python`). */
  pythons?: string[];
  /** Which installed runtime: a version, a runtime id or `newest` (see resolveModes). */
  runtime?: string;
  /** Only cases whose `suite/benchmark[params]` id matches this regular expression. */
  filter?: string;
  /** Thread counts for threaded benchmarks (default: 1..usable cores). */
  threads?: number[];
  oversubscribe?: boolean;
  pin?: boolean;
  /** Richer metadata from the agent; a basic summary otherwise. */
  machine?: Machine;
  jobId?: string | null;
  /** Modes already resolved by the caller (the agent); skips discovery. */
  resolvedModes?: Mode[];
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
  /**
   * Awaited after each case's 'case-done' and before the next case starts:
   * the one place a caller (the agent) may do I/O such as reporting progress,
   * so nothing it does overlaps a measurement.
   */
  betweenCases?: () => Promise<void>;
}

export type ProgressEvent =
  | { type: 'planned'; total: number; modes: Mode[] }
  | { type: 'case-start'; index: number; total: number; caseId: string; mode: string }
  | { type: 'case-done'; index: number; total: number; caseId: string; mode: string; result: Result };

interface PlannedCase {
  suite: SuiteListing;
  benchmark: string;
  params: CaseParams;
}

export async function runBenchmarks(opts: RunOptions): Promise<RunDocument> {
  const profile = typeof opts.profile === 'string' ? getProfile(opts.profile) : opts.profile;
  if (opts.suites.length === 0) throw new UsageError('no suite given; pass --suite NAME (e.g. --suite selftest)');
  if (opts.modes.length === 0) throw new UsageError('no mode given; pass --mode gil,nogil');
  const refs = opts.suites.map(resolveSuite);
  const filter = compileFilter(opts.filter);
  const modes =
    opts.resolvedModes ??
    resolveModes(opts.modes, await discoverRuntimes({ pythons: opts.pythons }), {
      runtime: opts.runtime,
    });
  const startedAt = new Date().toISOString();

  // One worker of the first mode reads the suites and tells the usable cores.
  const { worker, hello } = await WorkerProcess.start({
    python: modes[0]!.runtime.executable,
    ...modeEnvironment(modes[0]!),
  });
  let listings: SuiteListing[];
  try {
    listings = [];
    for (const ref of refs) listings.push(await listSuite(worker, ref));
  } finally {
    await worker.close();
  }
  const threads = threadCounts(hello.usable_cores, { oversubscribe: opts.oversubscribe, explicit: opts.threads });

  const plan: PlannedCase[] = [];
  const suites: SuiteInfo[] = [];
  for (const suite of listings) {
    const info: SuiteInfo = { name: suite.name, description: suite.description, benchmarks: [] };
    for (const bench of suite.benchmarks) {
      const params = 'threads' in bench.params ? { ...bench.params, threads: threads } : bench.params;
      const cases = expandCases(params).filter((p) => filter(caseId(suite.name, bench.name, p)));
      if (cases.length === 0) continue;
      info.benchmarks.push({
        name: bench.name,
        description: bench.description,
        params,
        opsPerLoop: bench.opsPerLoop,
        ...(bench.category ? { category: bench.category } : {}),
      });
      for (const p of cases) plan.push({ suite, benchmark: bench.name, params: p });
    }
    if (info.benchmarks.length) suites.push(info);
  }
  if (plan.length === 0) throw new UsageError(`no case matches --filter '${opts.filter}'`);

  const total = plan.length * modes.length;
  opts.onProgress?.({ type: 'planned', total, modes });
  const results: Result[] = [];
  let index = 0;
  for (const planned of plan) {
    const id = caseId(planned.suite.name, planned.benchmark, planned.params);
    opts.signal?.throwIfAborted();
    // The modes of a case are measured together, their samples interleaved (see measure.ts).
    modes.forEach((mode, i) => {
      opts.onProgress?.({ type: 'case-start', index: index + i, total, caseId: id, mode: mode.id });
    });
    const perMode = await measureCaseInModes({
      modes,
      suite: planned.suite.name,
      file: planned.suite.file,
      benchmark: planned.benchmark,
      params: planned.params,
      profile,
      pin: opts.pin,
      signal: opts.signal,
    });
    opts.signal?.throwIfAborted();
    perMode.forEach((result, i) => {
      opts.onProgress?.({ type: 'case-done', index: index + i, total, caseId: id, mode: modes[i]!.id, result });
    });
    index += modes.length;
    await opts.betweenCases?.();
    markChecksumMismatches(perMode);
    results.push(...perMode);
  }

  const doc: RunDocument = {
    schema: RUN_SCHEMA,
    id: randomUUID(),
    startedAt,
    finishedAt: new Date().toISOString(),
    profile: profile.name,
    gilbenchVersion: GILBENCH_VERSION,
    machine: opts.machine ?? basicMachine(hello.usable_cores),
    jobId: opts.jobId ?? null,
    modes,
    suites,
    results,
    warnings: [],
  };
  // The contract is checked here too, so a bug shows up at the source, not at upload.
  return RunDocumentSchema.parse(doc);
}

/**
 * A kernel that computes differently in one mode is an error, not a result:
 * every mode whose checksum differs from the first mode's is marked so.
 */
export function markChecksumMismatches(perMode: Result[]): void {
  const reference = perMode.find((r) => r.status !== 'error' && r.checksum !== null);
  if (!reference) return;
  for (const result of perMode) {
    if (result === reference || result.status === 'error' || result.checksum === null) continue;
    if (result.checksum !== reference.checksum) {
      const message = `checksum ${result.checksum} differs from ${reference.checksum} in ${reference.mode}: the benchmark computes differently in this mode`;
      result.status = 'error';
      result.warnings.push({ code: 'checksum-mismatch', message });
      result.error = { message, stderrTail: '' };
    }
  }
}

function compileFilter(pattern: string | undefined): (id: string) => boolean {
  if (!pattern) return () => true;
  try {
    const re = new RegExp(pattern);
    return (id) => re.test(id);
  } catch (err) {
    throw new UsageError(`--filter is not a valid regular expression: ${(err as Error).message}`);
  }
}
