/**
 * The agent's side of the server API (see server/API.md): enrollment,
 * heartbeat, job claims under a lease, progress, completion and run upload.
 * Every call is one HTTP request with a timeout; retries are the caller's
 * decision (see upload.ts), because only the caller knows whether a case is
 * being measured. The answers the agent reads (enrollment, claims) are parsed
 * with the API contract's schemas (server/contract); of the others only the
 * status counts.
 *
 * @example
 * const client = new ServerClient('http://127.0.0.1:8080', agentToken);
 * const job = await client.claim({ labels: ['nightly'], leaseSeconds: 900 });
 */
import type { z } from 'zod';
import type { Machine, RunDocument } from '../harness/schema.ts';
import { ClaimResponse, EnrollResponse, type Job } from '../server/contract/index.ts';
import { retryAfterMs } from '../server/contract/retry-after.ts';

const API = '/api/v1';
const DEFAULT_TIMEOUT_MS = 30_000;
/** The largest answer the agent reads (the largest it gets, to an upload, is a few KiB). */
export const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

/** The server answered with a non-2xx status. */
export class ServerError extends Error {
  override name = 'ServerError';
  constructor(
    readonly status: number,
    readonly error: string,
    readonly detail: string,
    readonly endpoint: string,
    /** How long the server asked to wait before trying again (`Retry-After` of a 503 or 429), in ms; null when it did not say. */
    readonly retryAfterMs: number | null = null,
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

/**
 * The answer was larger than the agent reads: a broken or hostile server or proxy. Not
 * retried (the same server would send it again); a run being uploaded stays in the spool.
 */
export class ResponseTooLarge extends Error {
  override name = 'ResponseTooLarge';
  readonly retryable = false;
}

/**
 * A warning for plain `http://` to a host that is not this one, or null: over it the
 * token can be read and jobs changed by anyone on the path.
 * @example plainHttpWarning('http://bench.example:8080') // 'talking plain http:// to bench.example …'
 */
export function plainHttpWarning(baseUrl: string): string | null {
  const url = new URL(baseUrl);
  if (url.protocol !== 'http:') return null;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host)) return null;
  return `talking plain http:// to ${url.host}: anyone on the network path can read this agent's token and change the jobs it runs; put the server behind https (e.g. a reverse proxy with TLS)`;
}

/** Whether a failed call may succeed if tried again later. */
export function isRetryable(err: unknown): boolean {
  return err instanceof ServerUnreachable || (err instanceof ServerError && err.retryable);
}

/** An answer with a 2xx status whose body is not what the API contract (server/contract) says. */
export class ServerReplyInvalid extends Error {
  override name = 'ServerReplyInvalid';
  readonly retryable = false;
}

/** The agent's identity, as it keeps it (agents/state.ts): ids are strings there. */
export interface Enrollment {
  machineId: string;
  token: string;
  /** Set when the machine was enrolled already: the token works once an admin approves this request. */
  requestId: string | null;
}

/** A claimed job; its id is a string, as the agent's URLs and the run document's `jobId` carry it. */
export interface ClaimedJob extends Omit<Job, 'id'> {
  id: string;
}

/** `json` parsed with the contract's schema of the endpoint's answer. */
function parseReply<S extends z.ZodType>(schema: S, json: unknown, endpoint: string): z.output<S> {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const first = parsed.error.issues[0]!;
  throw new ServerReplyInvalid(
    `${endpoint}: the server's answer is not what the API says (${first.path.join('.') || 'the body'}: ${first.message})`,
  );
}

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
  readonly #maxResponseBytes: number;

  constructor(baseUrl: string, token: string, opts: { timeoutMs?: number; maxResponseBytes?: number } = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.#token = token;
    this.#timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#maxResponseBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
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
    const reply = parseReply(
      EnrollResponse,
      await this.request('POST', '/agents/enroll', { machine }),
      'POST /agents/enroll',
    );
    return {
      machineId: String(reply.machineId),
      token: reply.token,
      requestId: reply.request ? String(reply.request.id) : null,
    };
  }

  /** Tells the server the agent is alive (and what it is doing); refreshes the machine's metadata. */
  async heartbeat(body: { status: 'idle' | 'running'; jobId?: string | null; machine?: Machine }): Promise<void> {
    await this.request('POST', '/agents/heartbeat', body);
  }

  /** Claims the next job this agent may run, under a lease; null when none is waiting. */
  async claim(body: { labels: string[]; leaseSeconds?: number }): Promise<ClaimedJob | null> {
    const { job } = parseReply(ClaimResponse, await this.request('POST', '/jobs/claim', body), 'POST /jobs/claim');
    return job ? { ...job, id: String(job.id) } : null;
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
      text = await readLimited(response, this.#maxResponseBytes);
    } catch (err) {
      if (err instanceof ResponseTooLarge) throw new ResponseTooLarge(`${method} ${url}: ${err.message}`);
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
        retryAfterMs(response.headers.get('retry-after'), Date.now()),
      );
    }
    return json;
  }
}

/** The body as text, refusing (and cutting off) one over `max` bytes, whether it says its length or not. */
async function readLimited(response: Response, max: number): Promise<string> {
  const tooLarge = () => new ResponseTooLarge(`the answer is larger than ${Math.round(max / 1024)} KiB; not read`);
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > max) {
    await response.body?.cancel();
    throw tooLarge();
  }
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
