/**
 * The one way to open a store, from what a user writes after `--db` (or in
 * GILBENCH_DATABASE_URL): a file path, `sqlite:PATH`, `file:PATH` or
 * `:memory:` is SQLite; `postgres://…` or `postgresql://…` is PostgreSQL.
 * Anything else that looks like a URL is refused rather than taken for a
 * file name (`--db postgres:/…` once made a folder named `postgres:`).
 *
 * @example
 * const store = await openStore(process.env.GILBENCH_DATABASE_URL ?? 'gilbench.db');
 */
import { fileURLToPath } from 'node:url';
import { redact, type Store, StoreOpenError } from './core/store.ts';
import { openPostgresStore } from './postgres/index.ts';
import { openSqliteStore } from './sqlite/index.ts';
import { openSqliteWorkerStore } from './sqlite-worker/index.ts';

export { redact };

export type StoreTarget = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

/**
 * What a `--db` value names, or a StoreOpenError saying why it names nothing.
 * @example storeTarget('sqlite:/srv/g.db') // { kind: 'sqlite', file: '/srv/g.db' }
 */
export function storeTarget(value: string): StoreTarget {
  const text = value.trim();
  if (text === '') throw new StoreOpenError('the database is empty; give a file path or a postgres:// URL');
  if (/^postgres(ql)?:/i.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new StoreOpenError(`'${redact(text)}' is not a valid URL; write postgres://USER@HOST:PORT/DATABASE`);
    }
    if (!url.pathname || url.pathname === '/')
      throw new StoreOpenError(`'${redact(text)}' names no database; write postgres://USER@HOST:PORT/DATABASE`);
    return { kind: 'postgres', url: text };
  }
  if (text === ':memory:') return { kind: 'sqlite', file: text };
  if (/^file:/i.test(text)) {
    try {
      return { kind: 'sqlite', file: text.startsWith('file://') ? fileURLToPath(text) : text.slice('file:'.length) };
    } catch (err) {
      throw new StoreOpenError(`'${text}' is not a file URL (${(err as Error).message})`);
    }
  }
  if (/^sqlite:/i.test(text)) {
    const file = text.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (file === '') throw new StoreOpenError(`'${text}' names no file; write sqlite:PATH`);
    return { kind: 'sqlite', file };
  }
  // A scheme of two letters or more (one letter could be a Windows drive) that is none of the above.
  const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(text);
  if (scheme) {
    throw new StoreOpenError(
      `unknown database kind '${scheme[1]}:' in '${redact(text)}'; give a file path, sqlite:PATH or postgres://USER@HOST/DATABASE`,
    );
  }
  return { kind: 'sqlite', file: text };
}

export interface OpenStoreOptions {
  /**
   * SQLite only: run the database in a worker thread of its own (server/store/sqlite-worker/),
   * so no statement waits on the caller's event loop. The server does; tools and tests that
   * open a store for a moment need not (default false).
   */
  thread?: boolean;
}

/**
 * Opens (and migrates) the store `value` names. Throws StoreOpenError, one line for the
 * user, when it names nothing or the database cannot be opened.
 * @example const store = await openStore('postgres://gilbench@127.0.0.1:5432/gilbench');
 */
export async function openStore(value: string, options: OpenStoreOptions = {}): Promise<Store> {
  const target = storeTarget(value);
  if (target.kind === 'postgres') return openPostgresStore(target.url);
  try {
    if (options.thread && target.file !== ':memory:') return await openSqliteWorkerStore(target.file);
    return openSqliteStore(target.file);
  } catch (err) {
    if (err instanceof StoreOpenError) throw err;
    throw new StoreOpenError(`cannot open the database ${target.file} (${(err as Error).message})`);
  }
}
