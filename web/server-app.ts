/**
 * The server's hono app opened on a database file in this process, for
 * `gilbench export-site --db FILE`: the export reads exactly what
 * `gilbench server --db FILE --public` would serve, with no port opened.
 *
 * @example
 * const { app, close } = await openServerApp('/srv/gilbench.db');
 * const machines = await (await app.request('/api/v1/machines')).json();
 */
import { UsageError } from '../harness/cli/errors.ts';

export interface InProcessApp {
  app: { request(path: string): Response | Promise<Response> };
  close(): void;
}

interface ServerAppModule {
  openApp(options: Record<string, unknown>): unknown;
}

export async function openServerApp(dbFile: string): Promise<InProcessApp> {
  // A variable path keeps the web's type-check independent of the server's progress.
  const path = '../server/app.ts';
  let mod: ServerAppModule;
  try {
    mod = (await import(path)) as ServerAppModule;
  } catch (err) {
    throw new UsageError(
      `cannot load the server to read ${dbFile} (${(err as Error).message}); use --server URL with a running server`,
    );
  }
  const made = (await mod.openApp({ db: dbFile, public: true })) as
    | { app?: InProcessApp['app']; close?: () => void; request?: InProcessApp['app']['request'] }
    | InProcessApp['app'];
  const app = 'app' in made && made.app ? made.app : (made as InProcessApp['app']);
  const close = 'close' in made && typeof made.close === 'function' ? made.close.bind(made) : () => {};
  return { app, close };
}
