/**
 * Heavy answers computed off the event loop: a piscina pool of worker
 * threads with a bounded queue and a time budget per task. A full queue or
 * a task past its budget is `Overloaded` (the app answers 503 with
 * `Retry-After`); a task past its budget is aborted, which ends its thread,
 * so no request can hold a thread or the loop for longer than the budget.
 * The pool starts on first use, so apps that never compare start no threads.
 *
 * Uploads are checked (parsed, validated, their points computed) in threads
 * of their own, so a queue of comparisons never delays an upload and a burst
 * of uploads never delays a reader's comparison. Their number is bounded by
 * the ingest queue in front of the route (server/http/queue.ts).
 *
 * @example
 * const pool = createComputePool({ threads: 2, maxQueue: 8, timeoutMs: 10_000 });
 * const json = await pool.compare(baseSide, otherSide);
 * await pool.close();
 */
import { availableParallelism } from 'node:os';
import { move, Piscina } from 'piscina';
import type { RunDocument } from '../../harness/schema.ts';
import type { ComparisonSide } from '../compare.ts';
import type { DetectedChange } from '../detector/detector.ts';
import type { HeadlinesTask, LocksTask, PoolTask, ScalingTask } from './compare-task.ts';
import type { DetectTask } from './detect-task.ts';
import type { UploadCheck } from './upload-task.ts';

export interface ComputePoolOptions {
  /** Worker threads (default: half the cores, at least 1). */
  threads?: number;
  /** Tasks waiting for a thread before the next is refused (default 16). */
  maxQueue?: number;
  /** Time budget of one task from when it is submitted, in ms (default 15,000). */
  timeoutMs?: number;
  /** Threads that check uploads (default 1). */
  uploadThreads?: number;
}

export const COMPUTE_DEFAULTS = {
  threads: Math.max(1, Math.floor(availableParallelism() / 2)),
  maxQueue: 16,
  timeoutMs: 15_000,
  uploadThreads: 1,
} as const;

/** Time budget of one upload's check: a 32 MiB document parses and validates in about a second here. */
const UPLOAD_TIMEOUT_MS = 60_000;

/** The pool cannot take the task now; try again after `retryAfterSeconds`. */
export class Overloaded extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
    this.name = 'Overloaded';
  }
}

export interface ComputePool {
  /** `compareSides(base, other)` as JSON text, computed in a pool thread. */
  compare(base: ComparisonSide, other: ComparisonSide): Promise<string>;
  /** A run's Markdown summary against `baseMode` (`gilbench compare --format markdown`), in a pool thread. */
  summary(doc: RunDocument, baseMode: string): Promise<string>;
  /** A run's headline numbers (harness/stats/headlines.ts) as JSON text, from its results with samples. */
  headlines(run: HeadlinesTask['headlines']): Promise<string>;
  /** A run's scaling curves (`{runId, curves}`, harness/stats/scaling.ts) as JSON text, from its results with samples. */
  scaling(run: ScalingTask['scaling']): Promise<string>;
  /** A run's lock costs (`{runId, costs}`, harness/stats/lock-costs.ts) as JSON text, from its results with samples. */
  locks(run: LocksTask['locks']): Promise<string>;
  /** An upload's body (its UTF-8 bytes, moved to the thread: `bytes` is unusable afterwards) checked in an upload thread (see upload-task.ts). */
  checkUpload(bytes: ArrayBuffer): Promise<UploadCheck>;
  /** The detector over the windows of the series an upload touched, in an upload thread (see detect-task.ts). */
  detect(task: DetectTask): Promise<Array<DetectedChange | null>>;
  /** Tasks running and waiting. */
  load(): { running: number; queued: number };
  close(): Promise<void>;
}

/** A lazily started pool (see the module comment); options are checked here. */
export function createComputePool(opts: ComputePoolOptions = {}): ComputePool {
  const threads = opts.threads ?? COMPUTE_DEFAULTS.threads;
  const maxQueue = opts.maxQueue ?? COMPUTE_DEFAULTS.maxQueue;
  const timeoutMs = opts.timeoutMs ?? COMPUTE_DEFAULTS.timeoutMs;
  const uploadThreads = opts.uploadThreads ?? COMPUTE_DEFAULTS.uploadThreads;
  if (!(Number.isInteger(threads) && threads >= 1))
    throw new RangeError(`threads must be a whole number >= 1, got ${threads}`);
  if (!(Number.isInteger(uploadThreads) && uploadThreads >= 1))
    throw new RangeError(`uploadThreads must be a whole number >= 1, got ${uploadThreads}`);
  if (!(Number.isInteger(maxQueue) && maxQueue >= 0))
    throw new RangeError(`maxQueue must be a whole number >= 0, got ${maxQueue}`);
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) throw new RangeError(`timeoutMs must be > 0, got ${timeoutMs}`);
  let pool: Piscina | null = null;
  let uploads: Piscina | null = null;
  let running = 0;
  const retryAfter = Math.max(1, Math.ceil(timeoutMs / 1000));

  const run = async (task: PoolTask): Promise<string> => {
    pool ??= new Piscina({
      filename: new URL('./worker.mjs', import.meta.url).href,
      minThreads: 0,
      maxThreads: threads,
      maxQueue,
      idleTimeout: 30_000,
    });
    const signal = AbortSignal.timeout(timeoutMs);
    running++;
    try {
      return (await pool.run(task, { signal })) as string;
    } catch (err) {
      if (signal.aborted) {
        throw new Overloaded(
          `the comparison did not finish within its ${timeoutMs} ms budget; try again later`,
          retryAfter,
        );
      }
      if (err instanceof Error && /queue is at limit/i.test(err.message)) {
        throw new Overloaded('too many comparisons wait; try again shortly', retryAfter);
      }
      throw err;
    } finally {
      running--;
    }
  };

  /** An upload's task in the upload threads; no queue limit: the ingest queue in front of the route bounds how many wait. */
  const runUploadTask = async <T>(name: 'checkUpload' | 'detectChanges', task: unknown): Promise<T> => {
    uploads ??= new Piscina({
      filename: new URL('./worker.mjs', import.meta.url).href,
      minThreads: 1,
      maxThreads: uploadThreads,
      idleTimeout: 60_000,
    });
    const signal = AbortSignal.timeout(UPLOAD_TIMEOUT_MS);
    try {
      return (await uploads.run(task, { name, signal })) as T;
    } catch (err) {
      if (signal.aborted) {
        throw new Overloaded(
          `the upload's ${name === 'checkUpload' ? 'check' : 'detection'} did not finish within ${UPLOAD_TIMEOUT_MS / 1000} s; try again later`,
          5,
        );
      }
      throw err;
    }
  };

  return {
    compare: (base, other) => run({ base, other }),
    summary: (doc, baseMode) => run({ doc, baseMode }),
    // Only what the headlines read crosses to the thread (a stored row holds more).
    headlines: (r) => run({ headlines: { id: r.id, modes: r.modes, results: r.results } }),
    scaling: (r) => run({ scaling: { id: r.id, results: r.results } }),
    // Only the locks suite's results: the rest of a large run has no lock to cost.
    locks: (r) => run({ locks: { id: r.id, results: r.results.filter((x) => x.suite === 'locks') } }),
    // Moved, not copied: a 32 MiB body costs the loop nothing to hand over.
    checkUpload: (bytes) => runUploadTask<UploadCheck>('checkUpload', move(bytes)),
    detect: (task) => runUploadTask<Array<DetectedChange | null>>('detectChanges', task),
    load: () => ({ running, queued: pool?.queueSize ?? 0 }),
    async close() {
      const closing = [pool, uploads];
      pool = null;
      uploads = null;
      await Promise.all(closing.map((p) => p?.destroy()));
    },
  };
}
