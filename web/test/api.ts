/**
 * The web's `Api` over the real server app in this process (real SQLite,
 * no port, no browser), on a database seeded with one of everything the API
 * deals with (`seedDatabase`: two machines, runs of every suite in three
 * modes, a regression, a note, jobs). The views' load and model steps are
 * tested against its answers.
 *
 * @example
 * const seeded = await seededApi();
 * const data = await loadHistory(seeded.api, viewState({ machine: seeded.seed.machineA.id }));
 * seeded.close();
 */
import { join } from 'node:path';
import { tempDir } from '../../harness/test-support/index.ts';
import { inProcessApp, type Seed, seedDatabase } from '../../server/test-support/index.ts';
import { Api, type Session } from '../src/api.ts';
import { ApiError, canonicalQuery, type DataSource } from '../src/source.ts';
import type { ViewState } from '../src/views/types.ts';

export interface SeededApi {
  api: Api;
  seed: Seed;
  /** How many requests the API answered (a view that reads less than before shows here). */
  requests(): number;
  close(): void;
}

async function answer<T>(response: Response, path: string): Promise<T> {
  const text = await response.text();
  const body = text ? JSON.parse(text) : null;
  if (!response.ok) throw new ApiError(response.status, `${path}: ${body?.error ?? response.status}`, body?.detail);
  return body as T;
}

export async function seededApi(): Promise<SeededApi> {
  const { dir, remove } = tempDir('gilbench-web-api-');
  const file = join(dir, 'gilbench.db');
  const seed = await seedDatabase(file);
  const app = await inProcessApp(file);
  let count = 0;
  const source: DataSource = {
    kind: 'api',
    async get<T>(path: string, query?: Parameters<DataSource['get']>[1]): Promise<T> {
      count++;
      const q = canonicalQuery(query);
      const url = `${path}${q ? `?${q}` : ''}`;
      return answer<T>(await app.request(url, { headers: { authorization: `Bearer ${seed.tokens.admin}` } }), url);
    },
    async send<T>(method: string, path: string, body: unknown): Promise<T> {
      count++;
      const response = await app.request(path, {
        method,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${seed.tokens.admin}` },
        body: JSON.stringify(body),
      });
      return answer<T>(response, path);
    },
  };
  return {
    api: new Api(source),
    seed,
    requests: () => count,
    close() {
      app.close();
      remove();
    },
  };
}

/** The session of a visitor without a token on a public server. */
export const PUBLIC_SESSION: Session = { public: true, role: null, machineId: null };

/**
 * A view's state from URL parameters, on a live public server, at a fixed time.
 * @example viewState({ machine: 1, modes: 'gil,nogil' }).params.get('modes') === 'gil,nogil'
 */
export function viewState(
  params: Record<string, string | number> = {},
  overrides: Partial<Omit<ViewState, 'params'>> = {},
): ViewState {
  return {
    params: new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])),
    isStatic: false,
    session: PUBLIC_SESSION,
    serverUrl: 'http://127.0.0.1:8080',
    now: Date.parse('2025-06-02T12:00:00Z'),
    ...overrides,
  };
}
