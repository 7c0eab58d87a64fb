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
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../harness/errors.ts';
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
 * The server's app opened on a database in this process, as `gilbench server
 * --db DB --public` would serve it, with no port opened: what `gilbench
 * export-site --db DB` reads. DB is what `--db` takes (a SQLite file or a
 * postgres:// URL); a SQLite file that does not exist is a usage error, so an
 * export never creates an empty database.
 *
 * @example const { request, close } = await openServerDb('gilbench.db');
 */
export const openServerDb: DbOpener = async (db) => {
  const [{ openApp }, { storeTarget }, { StoreOpenError }] = await Promise.all([
    import('../server/app.ts'),
    import('../server/store/open.ts'),
    import('../server/store/core/store.ts'),
  ]);
  try {
    const target = storeTarget(db);
    if (target.kind === 'sqlite' && target.file !== ':memory:' && !existsSync(target.file))
      throw new UsageError(
        `database not found: ${resolve(target.file)}; pass the database gilbench server uses (--db FILE or postgres://…)`,
      );
    const app = await openApp({ db, public: true });
    return { request: (pathWithQuery) => app.request(pathWithQuery), close: () => app.close() };
  } catch (err) {
    if (err instanceof StoreOpenError) throw new UsageError(`${err.message}; check --db`);
    throw err;
  }
};
