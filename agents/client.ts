/**
 * The agent's side of the server API (see server/API.md): enrollment,
 * heartbeat, job claims under a lease, progress, completion and run upload.
 * Every call is one HTTP request with a timeout; retries are the caller's
 * decision (see upload.ts), because only the caller knows whether a case is
 * being measured.
 *
 * @example
 * const client = new ServerClient('http://127.0.0.1:8080', agentToken);
 * const job = await client.claim({ labels: ['nightly'], leaseSeconds: 900 });
 */
import { z } from 'zod';
import type { Machine, RunDocument } from '../harness/schema.ts';

const API = '/api/v1';
const DEFAULT_TIMEOUT_MS = 30_000;

/** The server answered with a non-2xx status. */
export class ServerError extends Error {
  override name = 'ServerError';
  constructor(
    readonly status: number,
    readonly error: string,
    readonly detail: string,
    readonly endpoint: string,
  ) {
    super(`${endpoint}: ${status} ${error}${detail ? `: ${detail}` : ''}`);
  }

  /** 5xx, 408 and 429 may succeed later; other 4xx never will. */
  get retryable(): boolean {
    return this.status >= 500 || this.status === 408 || this.status === 429;
  }
}

/** The server could not be reached (refused, reset, timed out, DNS). */
export class ServerUnreachable extends Error {
  override name = 'ServerUnreachable';
  readonly retryable = true;
}

/** Whether a failed call may succeed if tried again later. */
export function isRetryable(err: unknown): boolean {
  return err instanceof ServerUnreachable || (err instanceof ServerError && err.retryable);
}

export const Enrollment = z.object({
  machineId: z.union([z.string(), z.number()]).transform(String),
  token: z.string().min(1),
});
export type Enrollment = z.infer<typeof Enrollment>;

/** A job as the agent needs it; the server may send more fields. */
export const ClaimedJob = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  suites: z.array(z.string()).min(1),
  modes: z.array(z.string()).min(1),
  labels: z.array(z.string()).default([]),
  profile: z.string().nullable().default(null),
  /** Which installed runtime (a version, a runtime id or `newest`); absent or null: the default pick. */
  runtime: z.string().nullable().optional(),
  leaseExpiresAt: z.union([z.string(), z.number()]).nullable().optional(),
  leaseSeconds: z.number().nullable().optional(),
});
export type ClaimedJob = z.infer<typeof ClaimedJob>;

export interface JobProgressReport {
  done: number;
  total: number;
  /** The case being measured next, e.g. `selftest/empty cpython-3.13.5t/nogil`. */
  message: string;
}

export class ServerClient {
  readonly baseUrl: string;
  #token: string;
  readonly #timeoutMs: number;

  constructor(baseUrl: string, token: string, opts: { timeoutMs?: number } = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.#token = token;
    this.#timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** Switches to another bearer token (after enrollment). */
  useToken(token: string): void {
    this.#token = token;
  }

  /**
   * Trades an enrollment token (the client's current one) for this machine's own agent token.
   * @example const { machineId, token } = await client.enroll(machine);
   */
  async enroll(machine: Machine): Promise<Enrollment> {
    return Enrollment.parse(await this.request('POST', '/agents/enroll', { machine }));
  }

  /** Tells the server the agent is alive (and what it is doing); refreshes the machine's metadata. */
  async heartbeat(body: { status: 'idle' | 'running'; jobId?: string | null; machine?: Machine }): Promise<void> {
    await this.request('POST', '/agents/heartbeat', body);
  }

  /** Claims the next job this agent may run, under a lease; null when none is waiting. */
  async claim(body: { labels: string[]; leaseSeconds?: number }): Promise<ClaimedJob | null> {
    const reply = await this.request('POST', '/jobs/claim', body);
    const job = reply && typeof reply === 'object' && 'job' in reply ? (reply as { job: unknown }).job : reply;
    return job ? ClaimedJob.parse(job) : null;
  }

  /** Reports progress; the server extends the job's lease with it. A short timeout keeps the next case on time. */
  async progress(jobId: string, report: JobProgressReport, opts: { timeoutMs?: number } = {}): Promise<void> {
    await this.request('POST', `/jobs/${encodeURIComponent(jobId)}/progress`, report, opts);
  }

  async complete(jobId: string, runId: string): Promise<void> {
    await this.request('POST', `/jobs/${encodeURIComponent(jobId)}/complete`, { runId });
  }

  /** Gives the job up: `requeue` puts it back in the queue (interrupted), otherwise it failed. */
  async fail(jobId: string, body: { error: string; requeue: boolean }): Promise<void> {
    await this.request('POST', `/jobs/${encodeURIComponent(jobId)}/fail`, body);
  }

  /** Uploads a run; idempotent by run id (an earlier copy is answered 2xx too). */
  async uploadRun(doc: RunDocument): Promise<unknown> {
    return this.request('POST', '/runs', doc);
  }

  /** One call; the timeout aborts the request itself, so nothing stays in flight after it. */
  async request(method: string, endpoint: string, body?: unknown, opts: { timeoutMs?: number } = {}): Promise<unknown> {
    const url = `${this.baseUrl}${API}${endpoint}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.#token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(opts.timeoutMs ?? this.#timeoutMs),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (err as Error).message;
      throw new ServerUnreachable(`${method} ${url}: ${why}`);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (err) {
      throw new ServerUnreachable(
        `${method} ${url}: the connection broke while reading the answer (${(err as Error).message})`,
      );
    }
    let json: unknown = null;
    if (text) {
      try {
        json = JSON.parse(text);
      } catch {
        json = null;
      }
    }
    if (!response.ok) {
      const reply = (json ?? {}) as { error?: unknown; detail?: unknown };
      throw new ServerError(
        response.status,
        typeof reply.error === 'string' ? reply.error : response.statusText,
        typeof reply.detail === 'string'
          ? reply.detail
          : reply.detail
            ? JSON.stringify(reply.detail)
            : text.slice(0, 300),
        `${method} ${endpoint}`,
      );
    }
    return json;
  }
}
