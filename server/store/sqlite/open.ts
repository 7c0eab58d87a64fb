/**
 * Opens the server's SQLite database: WAL journal, foreign keys on, a busy
 * timeout so a second process waits instead of failing, and the migrations in
 * `drizzle/` applied before anything else touches it.
 *
 * @example
 * const { db, sqlite, close } = openDatabase('gilbench.db');
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema.ts';

/** The migrations folder at the repository's top level. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../drizzle', import.meta.url));

export interface OpenDatabase {
  db: BetterSQLite3Database<typeof schema>;
  sqlite: Database.Database;
  file: string;
  close(): void;
}

/**
 * Opens (creating if needed) the database at `file` and migrates it.
 * `:memory:` works too, for throw-away use.
 */
export function openDatabase(file: string, options: { busyTimeoutMs?: number } = {}): OpenDatabase {
  const path = file === ':memory:' ? file : resolve(file);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  try {
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 10000');
    // WAL makes NORMAL durable across application crashes; only an OS crash may lose the last commits.
    sqlite.pragma('synchronous = NORMAL');
    // Series queries touch pages all over a big file: keep more of it in memory, and map it
    // (reads without a system call per page).
    sqlite.pragma('cache_size = -65536');
    sqlite.pragma('mmap_size = 1073741824');
    sqlite.pragma('wal_autocheckpoint = 10000');
    const db = drizzle(sqlite, { schema });
    migrateWithLock(sqlite, db);
    // After migrating (which may wait for another process's): a caller that retries busy waits itself asks for short ones.
    if (options.busyTimeoutMs !== undefined)
      sqlite.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs))}`);
    return { db, sqlite, file: path, close: () => sqlite.close() };
  } catch (err) {
    sqlite.close();
    throw err;
  }
}

/**
 * drizzle's migrator checks what is applied before it opens its transaction,
 * so two processes starting on a new file at once can both try: the loser's
 * transaction rolls back (nothing half-made) and it simply tries again, when
 * the winner's migrations are there to be seen.
 */
function migrateWithLock(sqlite: Database.Database, db: BetterSQLite3Database<typeof schema>): void {
  for (let attempt = 1; ; attempt++) {
    try {
      migrate(db, { migrationsFolder: MIGRATIONS_DIR });
      return;
    } catch (err) {
      if (attempt >= 5) throw err;
      if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50 * attempt);
    }
  }
}
