/**
 * The SQLite backend (drizzle over better-sqlite3), one module per subject.
 * @example const store = openSqliteStore('gilbench.db');
 */
import type { Store } from '../core/store.ts';

export type SqliteStoreOptions = {};

export function openSqliteStore(_file: string): Store {
  throw new Error('the SQLite store is being split out of server/repo/sqlite.ts');
}
