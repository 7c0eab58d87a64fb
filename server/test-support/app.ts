/**
 * The server's hono app over a database file in this process, no port
 * opened: for tests in other rooms that read the server's real answers
 * (the web's view models) without importing the server's code themselves.
 *
 * @example
 * const app = await inProcessApp(seed.file);
 * const machines = await (await app.request('/api/v1/machines')).json();
 * await app.close();
 */
import { openApp } from '../app.ts';

export interface InProcessApp {
  request(path: string, init?: RequestInit): Response | Promise<Response>;
  close(): Promise<void>;
}

/** A public app on `db` that logs nothing (the tests read its answers, not its log). */
export async function inProcessApp(db: string): Promise<InProcessApp> {
  const app = await openApp({ db, public: true, log: () => {} });
  return { request: (path, init) => app.request(path, init), close: () => app.close() };
}
