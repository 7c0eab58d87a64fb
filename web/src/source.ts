/**
 * Where the pages get their data: the live server's JSON API, or, on an
 * exported site, JSON files written by `gilbench export-site` under `data/`.
 * Both answer the same requests (path + query); `staticDataFile()` is the one
 * mapping between a request and its file, shared with the exporter (Node), so
 * this module uses no browser globals: the page's own sources are in
 * page-source.ts.
 *
 * @example
 * staticDataFile('/api/v1/runs', { machine: 1 }) // 'data/api_2fv1_2fruns_3fmachine_3d1.json'
 */

import pRetry from 'p-retry';

export type Query = Record<string, string | number | boolean | undefined | null>;

/** An error from the API, with the server's `{error, detail}` when it sent one. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly detail?: unknown,
    /** When a busy server (503) said to come back, in ms. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

/**
 * A read the server answers 503 (its compute pool or ingest queue is full, or an answer ran past its
 * time budget) is asked again after the `Retry-After` it sends, a few times, before the caller says so.
 */
export const READ_RETRY = { retries: 3, minTimeoutMs: 500, maxTimeoutMs: 10_000 } as const;

/**
 * Runs `read`, asking again while it fails with a 503 (see READ_RETRY); any other error is thrown at once.
 * @example const body = await retryWhenBusy(() => getJson('/api/v1/machines'));
 */
export function retryWhenBusy<T>(read: () => Promise<T>): Promise<T> {
  const busy = (error: unknown): error is ApiError => error instanceof ApiError && error.status === 503;
  return pRetry(read, {
    retries: READ_RETRY.retries,
    minTimeout: READ_RETRY.minTimeoutMs,
    maxTimeout: READ_RETRY.maxTimeoutMs,
    factor: 2,
    randomize: true,
    shouldRetry: ({ error }) => busy(error),
    onFailedAttempt: async ({ error, retriesLeft }) => {
      // Not before the time the server asked for (the backoff comes on top), never past the longest wait.
      const asked = busy(error) && retriesLeft > 0 ? error.retryAfterMs : null;
      if (asked) await new Promise((resolve) => setTimeout(resolve, Math.min(asked, READ_RETRY.maxTimeoutMs)));
    },
  });
}

export interface DataSource {
  /** 'api' for a live server, 'static' for an exported site. */
  readonly kind: 'api' | 'static';
  get<T>(path: string, query?: Query): Promise<T>;
  /** Writes (admin only); a static site refuses them. */
  send<T>(method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body: unknown): Promise<T>;
}

/** The query string with keys sorted and empty values dropped (the canonical form). */
export function canonicalQuery(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const key of Object.keys(query).sort()) {
    const value = query[key];
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  return params.toString();
}

/**
 * The file (relative to the site's root) that holds a request's answer on an
 * exported site. Characters other than lower-case letters, digits and `-` are
 * written as `_xx` (hex), so the mapping is one-to-one and every name is safe
 * on any static host.
 * @example staticDataFile('/api/runs', { machine: 1 }) === 'data/api_2fruns_3fmachine_3d1.json'
 */
export function staticDataFile(path: string, query: Query = {}): string {
  const q = canonicalQuery(query);
  const key = `${path.replace(/^\/+/, '')}${q ? `?${q}` : ''}`;
  let name = '';
  for (const byte of new TextEncoder().encode(key)) {
    // Upper case is escaped too: case-insensitive file systems would merge `A` and `a`.
    const ch = String.fromCharCode(byte);
    name += /[a-z0-9-]/.test(ch) ? ch : `_${byte.toString(16).padStart(2, '0')}`;
  }
  // Long names (many filters) are shortened with a hash so they fit any file system.
  if (name.length > 180) name = `${name.slice(0, 120)}-${fnv1a(name)}`;
  return `data/${name}.json`;
}

function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}
