/**
 * The SQLite backend (drizzle over better-sqlite3): one module per subject
 * over one connection (db.ts), the schema (schema.ts) and its migrations in
 * `drizzle/`, applied when the file is opened (open.ts). WAL, foreign keys on.
 *
 * @example
 * const store = openSqliteStore('gilbench.db');
 * await store.close();
 */
import type { Store } from '../core/store.ts';
import { SqliteAnnotations } from './annotations.ts';
import { SqliteAnswers } from './answers.ts';
import { SqliteDb } from './db.ts';
import { SqliteJobs } from './jobs.ts';
import { SqliteMachines } from './machines.ts';
import { openDatabase } from './open.ts';
import { SqliteRegressions } from './regressions.ts';
import { SqliteRuns } from './runs.ts';
import { SqliteSchedules } from './schedules.ts';
import { SqliteSeries } from './series.ts';
import { SqliteTokens } from './tokens.ts';
import { SqliteWindows } from './windows.ts';

/**
 * Opens (creating and migrating if needed) the database file; `:memory:` for a throw-away one.
 * `busyTimeoutMs`: how long one statement waits for another process's lock (default 10 s).
 */
export function openSqliteStore(file: string, options: { busyTimeoutMs?: number } = {}): Store {
  const db = new SqliteDb(openDatabase(file, options));
  const tokens = new SqliteTokens(db);
  // Machines and runs each need the other (ingest makes the machine; a machine shows its latest run).
  const machines: SqliteMachines = new SqliteMachines(db, tokens, () => runs);
  const runs: SqliteRuns = new SqliteRuns(db, () => machines);
  return {
    kind: 'sqlite',
    location: db.file,
    tokens,
    machines,
    runs,
    series: new SqliteSeries(db),
    windows: new SqliteWindows(db),
    regressions: new SqliteRegressions(db),
    annotations: new SqliteAnnotations(db),
    schedules: new SqliteSchedules(db),
    jobs: new SqliteJobs(db),
    answers: new SqliteAnswers(db),
    // A read in WAL mode waits for no writer, so this answers while another process holds the write lock.
    health: { ping: async () => void db.sqlite.prepare('SELECT 1').get() },
    close: async () => db.close(),
  };
}
