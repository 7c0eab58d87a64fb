/**
 * The seams between rooms that only the wiring room may join: the server
 * never loads the web's code, and the web never loads the server's. What one
 * needs of the other is made here and handed in.
 *
 * @example
 * registerServerCommands(program, { dashboard: dashboard() });
 * registerExportCommand(program, { openDb: openServerDb });
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Dashboard } from '../server/app.ts';
import type { DbOpener } from '../web/export.ts';

/** The checkout's dashboard folder, when it has one (its sources, or a built `dist/`). */
const WEB_DIR: string | null = (() => {
  const dir = fileURLToPath(new URL('../web', import.meta.url));
  return existsSync(`${dir}/src/main.ts`) || existsSync(`${dir}/dist/index.html`) ? dir : null;
})();

/**
 * The dashboard's routes for the server, or undefined when this checkout has
 * no `web/`. The web's code (and esbuild with it) is loaded on the first page
 * request, so a server that only answers the API never loads it.
 *
 * @example await openApp({ db: 'gilbench.db', dashboard: dashboard() })
 */
export function dashboard(webDir: string | null = WEB_DIR): Dashboard | undefined {
  if (!webDir) return undefined;
  let routes: Promise<Dashboard> | null = null;
  return {
    async fetch(request) {
      routes ??= import('../web/serve.ts').then((m) => m.webRoutes(webDir));
      return (await routes).fetch(request);
    },
  };
}

/**
 * The server's app opened on a database file in this process, as
 * `gilbench server --db FILE --public` would serve it, with no port opened:
 * what `gilbench export-site --db FILE` reads.
 *
 * @example const { request, close } = await openServerDb('gilbench.db');
 */
export const openServerDb: DbOpener = async (dbFile) => {
  const { openApp } = await import('../server/app.ts');
  const app = await openApp({ db: dbFile, public: true });
  return { request: (pathWithQuery) => app.request(pathWithQuery), close: () => app.close() };
};
