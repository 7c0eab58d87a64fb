/**
 * Uploading the spool: each run is sent with retries and exponential backoff
 * (p-retry), and removed from the spool only after the server answered 2xx.
 * A run made for a job also completes that job; if completing fails the run
 * stays spooled and the next drain sends it again, which the server answers
 * 2xx without storing it twice (ingest is idempotent by run id).
 *
 * The drain stops at the first run the server cannot take right now (down,
 * 5xx after the retries): later runs would fail the same way, and the agent
 * must get back to its schedule.
 *
 * @example
 * const report = await drainSpool(spool, client, { signal, log });
 * report.uploaded; // run ids that reached the server
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pRetry from 'p-retry';
import type { RunDocument } from '../harness/schema.ts';
import { isRetryable, type ServerClient, ServerError } from './client.ts';
import type { Spool } from './spool.ts';

export interface RetryPolicy {
  /** Attempts after the first. */
  retries: number;
  minTimeoutMs: number;
  maxTimeoutMs: number;
}

/** About two minutes of trying (1 s, 2 s, 4 s … 30 s, jittered) before the drain gives up for now. */
export const DEFAULT_RETRY: RetryPolicy = { retries: 7, minTimeoutMs: 1000, maxTimeoutMs: 30_000 };

export interface DrainOptions {
  retry?: RetryPolicy;
  /** Only runs this accepts are sent (the others wait); default: all. */
  accept?: (doc: RunDocument) => boolean;
  signal?: AbortSignal;
  log?: (message: string) => void;
}

export interface DrainReport {
  uploaded: string[];
  /** Runs the server refused for good; moved to the spool's `rejected/` folder. */
  rejected: string[];
  /** Runs still waiting. */
  remaining: number;
  /** Why the drain stopped early (server unreachable, token refused…), or null. */
  stoppedBy: Error | null;
}

/**
 * Statuses that refuse this document for good: invalid (400, 413, 422), made
 * on another machine than the token's (403), or the run id taken by another
 * machine's run (409). Retrying cannot help and keeping it would block the
 * spool, so it is set aside. (401 is different: the token itself is refused.)
 */
const REFUSED = new Set([400, 403, 409, 413, 422]);

/**
 * Uploads every spooled run, oldest first.
 * Never throws for the server's faults; they end up in `stoppedBy`.
 */
export async function drainSpool(spool: Spool, client: ServerClient, opts: DrainOptions = {}): Promise<DrainReport> {
  const log = opts.log ?? (() => {});
  const report: DrainReport = { uploaded: [], rejected: [], remaining: 0, stoppedBy: null };
  const entries = spool.list().filter((entry) => opts.accept?.(entry.doc) ?? true);
  for (const [index, entry] of entries.entries()) {
    try {
      await withRetry(() => client.uploadRun(entry.doc), `upload of run ${entry.id}`, opts);
    } catch (err) {
      if (err instanceof ServerError && REFUSED.has(err.status)) {
        spool.reject(entry.id, err.message);
        report.rejected.push(entry.id);
        continue;
      }
      report.stoppedBy = err as Error;
      report.remaining = entries.length - index;
      return report;
    }
    if (entry.doc.jobId !== null) {
      try {
        await withRetry(() => client.complete(entry.doc.jobId!, entry.id), `completing job ${entry.doc.jobId}`, opts);
      } catch (err) {
        if (!(err instanceof ServerError) || err.retryable || err.status === 401) {
          report.stoppedBy = err as Error;
          report.remaining = entries.length - index;
          return report;
        }
        // 404/409/403: the job is gone, or its lease moved to another machine; the run itself is stored.
        log(`job ${entry.doc.jobId} not completed by run ${entry.id}: ${err.message}`);
      }
    }
    spool.remove(entry.id);
    report.uploaded.push(entry.id);
    log(`run ${entry.id} uploaded${entry.doc.jobId !== null ? ` for job ${entry.doc.jobId}` : ''}`);
  }
  return report;
}

/**
 * Runs one server call with the retry policy; gives up at once on errors that cannot get better.
 * @example await withRetry(() => client.heartbeat({ status: 'idle' }), 'heartbeat', { retry: { retries: 2, minTimeoutMs: 500, maxTimeoutMs: 2000 } });
 */
export async function withRetry<T>(call: () => Promise<T>, what: string, opts: DrainOptions = {}): Promise<T> {
  const policy = opts.retry ?? DEFAULT_RETRY;
  return pRetry(call, {
    retries: policy.retries,
    minTimeout: policy.minTimeoutMs,
    maxTimeout: policy.maxTimeoutMs,
    factor: 2,
    randomize: true,
    signal: opts.signal,
    shouldRetry: ({ error }) => isRetryable(error),
    onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
      if (isRetryable(error) && retriesLeft > 0) {
        opts.log?.(`${what} failed (attempt ${attemptNumber}): ${error.message}; retrying`);
        // A busy server (503) or a rate limit (429) says when to come back: not before then
        // (the backoff comes on top), and never longer than the policy's longest wait.
        const asked = error instanceof ServerError ? error.retryAfterMs : null;
        if (asked) await sleep(Math.min(asked, policy.maxTimeoutMs), undefined, { signal: opts.signal });
      }
    },
  });
}
