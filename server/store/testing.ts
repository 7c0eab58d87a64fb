/**
 * The backends the contract suite runs on, as factories of empty databases.
 * A backend adds itself to `STORE_BACKENDS` (PostgreSQL: when its test
 * cluster can start on this machine).
 *
 * @example
 * for (const backend of STORE_BACKENDS) {
 *   const db = await backend.create();
 *   const store = await db.open();
 * }
 */
import { createHash } from 'node:crypto';
import { postgresTestBackend } from './postgres/testing.ts';
import { sqliteTestBackend } from './sqlite/testing.ts';
import { sqliteWorkerTestBackend } from './sqlite-worker/testing.ts';

/** One empty database of a backend, made for a test. */
export interface TestDatabase {
  /** What `openStore` opens it by. */
  readonly url: string;
  /** A new store on it (a second call: a second connection, as another process would have). */
  open(): Promise<import('./core/store.ts').Store>;
  /** Every table's rows, each row as an array of its column values (binary values as hex), in insertion order. */
  tables(): Promise<Record<string, unknown[][]>>;
  /** Removes the database. */
  drop(): Promise<void>;
}

export interface TestBackend {
  readonly name: string;
  /** A new, empty (migrated on first open) database. */
  create(): Promise<TestDatabase>;
}

export const STORE_BACKENDS: TestBackend[] = [sqliteTestBackend, sqliteWorkerTestBackend, postgresTestBackend];

/**
 * Every table's rows, hashed: equal snapshots mean equal contents.
 * @example hashTables({ runs: [[1, 'a']] }) // { runs: '1:…' }
 */
export function hashTables(tables: Record<string, unknown[][]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [table, rows] of Object.entries(tables)) {
    const hash = createHash('sha256');
    for (const row of rows) hash.update(JSON.stringify(row));
    out[table] = `${rows.length}:${hash.digest('hex').slice(0, 16)}`;
  }
  return out;
}

/**
 * A test database's contents, hashed (token use times left out: a request with a good
 * token may record its use).
 * @example expect(await snapshotOf(db)).toEqual(before);
 */
export async function snapshotOf(db: Pick<TestDatabase, 'tables'>): Promise<Record<string, string>> {
  return hashTables(await db.tables());
}
