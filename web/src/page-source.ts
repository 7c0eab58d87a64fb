/**
 * The page's data sources (browser only): the live server's API, with the
 * admin token kept for this tab, or an exported site's `data/` files, chosen
 * by the page's `<meta name="gilbench-data">`.
 *
 * @example
 * const source = createSource(); // reads <meta name="gilbench-data">
 * const machines = await source.get<unknown[]>('/api/machines');
 */

import { retryAfterMs } from '../../server/contract/retry-after.ts';
import { ApiError, canonicalQuery, type DataSource, type Query, retryWhenBusy, staticDataFile } from './source.ts';

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
    throw new ApiError(
      response.status,
      message,
      b?.detail,
      retryAfterMs(response.headers.get('retry-after'), Date.now()),
    );
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
      const url = `${base}${path}${q ? `?${q}` : ''}`;
      return retryWhenBusy(async () => check<T>(await fetch(url, { headers: headers() })));
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

declare global {
  interface Window {
    /** An exported site's answers, set by its `data/*.json.js` files (what a page opened from disk can load). */
    __gilbenchData?: Record<string, unknown>;
  }
}

/**
 * An answer of an exported site opened from disk: browsers let a `file://` page
 * fetch nothing, but they run a classic script beside it, so each `data/X.json`
 * has a twin `data/X.json.js` that hands the same answer to the page.
 */
function loadDataScript(file: string): Promise<unknown> {
  window.__gilbenchData ??= {};
  const data = window.__gilbenchData;
  if (file in data) return Promise.resolve(data[file]);
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = `${file}.js`;
    script.onload = () => {
      script.remove();
      if (file in data) resolve(data[file]);
      else reject(new ApiError(404, 'not in this exported site', 'export the site again'));
    };
    script.onerror = () => {
      script.remove();
      reject(
        new ApiError(
          404,
          'not in this exported site',
          'export the site again, or open the live dashboard for this view',
        ),
      );
    };
    document.head.append(script);
  });
}

/** An exported site: answers come from `data/*.json` next to index.html (their `.js` twins from disk). */
export function staticSource(base = ''): DataSource {
  return {
    kind: 'static',
    async get<T>(path: string, query?: Query): Promise<T> {
      if (location.protocol === 'file:') return (await loadDataScript(`${base}${staticDataFile(path, query)}`)) as T;
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
