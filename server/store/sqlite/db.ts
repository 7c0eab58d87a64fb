/**
 * One SQLite connection shared by the subject modules of this backend:
 * prepared statements made once, write transactions taken up front, and the
 * ids of rows that are only ever added (benchmarks, cases, modes), which the
 * ingest path would otherwise look up thousands of times per upload.
 *
 * @example
 * const db = new SqliteDb(openDatabase('gilbench.db'));
 * const id = db.write(() => db.sql('INSERT INTO suites (name) VALUES (?) RETURNING id').get('calls'));
 */
import type Database from 'better-sqlite3';
import type { OpenDatabase } from './open.ts';

export class SqliteDb {
  readonly #open: OpenDatabase;
  readonly #statements = new Map<string, Database.Statement>();
  /**
   * Ids of rows that are only ever added, by natural key. Entries made inside a
   * transaction join the cache only once it commits, so a rollback leaves no id of a
   * row that does not exist.
   */
  readonly #ids = new Map<string, number>();
  #pendingIds: Map<string, number> | null = null;
  #closed = false;

  constructor(open: OpenDatabase) {
    this.#open = open;
  }

  get file(): string {
    return this.#open.file;
  }

  /** drizzle's query builder on this connection. */
  get orm(): OpenDatabase['db'] {
    return this.#open.db;
  }

  get sqlite(): Database.Database {
    return this.#open.sqlite;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#open.close();
  }

  /** A prepared statement, made once per connection. */
  sql(text: string): Database.Statement {
    let statement = this.#statements.get(text);
    if (!statement) {
      statement = this.#open.sqlite.prepare(text);
      this.#statements.set(text, statement);
    }
    return statement;
  }

  /** Runs `fn` in one write transaction (taken up front, so two writers queue instead of deadlocking). */
  write<T>(fn: () => T): T {
    if (this.#pendingIds) return fn(); // nested: part of the outer transaction
    this.#pendingIds = new Map();
    try {
      const result = this.#open.sqlite.transaction(fn).immediate();
      for (const [key, id] of this.#pendingIds) this.#ids.set(key, id);
      return result;
    } finally {
      this.#pendingIds = null;
    }
  }

  /** Runs `fn` in one read transaction: everything it reads comes from one snapshot. */
  read<T>(fn: () => T): T {
    if (this.#open.sqlite.inTransaction) return fn();
    return this.#open.sqlite.transaction(fn).deferred();
  }

  /** The id of a row that is only ever added, from the cache or from `make` (which inserts or finds it). */
  idOf(key: string, make: () => number): number {
    const known = this.#ids.get(key) ?? this.#pendingIds?.get(key);
    if (known !== undefined) return known;
    const id = make();
    if (this.#pendingIds) this.#pendingIds.set(key, id);
    return id;
  }
}
