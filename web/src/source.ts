/**
 * Where the pages get their data: the live server's JSON API, or, on an
 * exported site, JSON files written by `gilbench export-site` under `data/`.
 * Both answer the same requests (path + query); `staticDataFile()` is the one
 * mapping between a request and its file, shared with the exporter.
 *
 * @example
 * const source = createSource(); // reads <meta name="gilbench-data">
 * const machines = await source.get<unknown[]>('/api/machines');
 */

export type Query = Record<string, string | number | boolean | undefined | null>;

/** An error from the API, with the server's `{error, detail}` when it sent one. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly detail?: unknown,
  ) {
    super(message);
  }
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

const TOKEN_KEY = 'gilbench.token';

/** The admin token the user entered (kept for this browser tab only). */
export function storedToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function storeToken(token: string | null): void {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage can be disabled; the token then lasts until the page reloads.
  }
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(response.status, `the server sent something that is not JSON (HTTP ${response.status})`);
  }
}

async function check<T>(response: Response): Promise<T> {
  const body = await readJson(response);
  if (!response.ok) {
    const b = body as { error?: unknown; detail?: unknown } | null;
    const message = typeof b?.error === 'string' ? b.error : `HTTP ${response.status}`;
    throw new ApiError(response.status, message, b?.detail);
  }
  return body as T;
}

/** The live server, at `base` (default: the page's own origin). */
export function apiSource(base = ''): DataSource {
  const headers = (): HeadersInit => {
    const token = storedToken();
    return token ? { authorization: `Bearer ${token}` } : {};
  };
  return {
    kind: 'api',
    async get<T>(path: string, query?: Query): Promise<T> {
      const q = canonicalQuery(query);
      const response = await fetch(`${base}${path}${q ? `?${q}` : ''}`, { headers: headers() });
      return check<T>(response);
    },
    async send<T>(method: string, path: string, body: unknown): Promise<T> {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: { ...headers(), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return check<T>(response);
    },
  };
}

/** An exported site: answers come from `data/*.json` next to index.html. */
export function staticSource(base = ''): DataSource {
  return {
    kind: 'static',
    async get<T>(path: string, query?: Query): Promise<T> {
      const response = await fetch(`${base}${staticDataFile(path, query)}`);
      if (response.status === 404) {
        throw new ApiError(
          404,
          'not in this exported site',
          'export the site again, or open the live dashboard for this view',
        );
      }
      return check<T>(response);
    },
    async send<T>(): Promise<T> {
      throw new ApiError(405, 'this is a read-only exported site', 'make changes on the live dashboard');
    },
  };
}

/** The source the page was built for, from `<meta name="gilbench-data" content="api|static">`. */
export function createSource(doc: Document = document): DataSource {
  const kind = doc.querySelector('meta[name="gilbench-data"]')?.getAttribute('content');
  return kind === 'static' ? staticSource() : apiSource();
}
