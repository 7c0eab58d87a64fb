/**
 * For test files that run on both backends: which one this file runs on, a
 * copy of a seeded database for each test (a copied SQLite file, or a new
 * PostgreSQL database cloned from a template made once from that file by
 * `gilbench server migrate`'s copy), and a snapshot of any store's rows.
 *
 * A file's PostgreSQL twin picks the backend and imports the file itself:
 *
 * @example
 * // app.postgres.test.ts
 * useTestBackend('postgres');
 * await import('./app.test.ts');
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, inject } from 'vitest';
import type { Store, StoreKind } from './core/store.ts';
import { migrateSqliteToPostgres } from './migrate.ts';
import { createDatabase, withDatabase } from './postgres/test/cluster.ts';
import { postgresTables } from './postgres/testing.ts';
import { sqliteTables } from './sqlite/testing.ts';
import { hashTables } from './testing.ts';

let backend: StoreKind = 'sqlite';
let copies = 0;
const templates = new Map<string, string>();
const made: Array<() => Promise<void>> = [];

afterAll(async () => {
  for (const drop of made.splice(0).reverse()) await drop();
});

/** Runs this file's tests on `kind` (call before the tests are collected). */
export function useTestBackend(kind: StoreKind): void {
  backend = kind;
}

export function testBackend(): StoreKind {
  return backend;
}

/** A new copy of the seeded SQLite file `seedFile`, on this file's backend, as a `--db` value. */
export async function seedCopy(seedFile: string, dir: string): Promise<string> {
  if (backend === 'sqlite') {
    const copy = join(dir, `copy-${process.pid}-${++copies}.db`);
    copyFileSync(seedFile, copy);
    return copy;
  }
  const admin = inject('pgUrl');
  let template = templates.get(seedFile);
  if (!template) {
    const db = await createDatabase(admin, 'gbtpl');
    made.push(db.drop);
    await migrateSqliteToPostgres({ from: seedFile, to: db.url });
    template = db.name;
    templates.set(seedFile, template);
  }
  const name = `gb_${Math.random().toString(16).slice(2, 14)}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    // A file copy inside the server: much faster than copying the rows again.
    await client.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  } finally {
    await client.end();
  }
  made.push(async () => {
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).finally(() => c.end());
  });
  return withDatabase(admin, name);
}

/**
 * Every table's rows of the store's database, hashed (token use times left out): equal
 * snapshots mean equal contents.
 * @example expect(await storeSnapshot(app.repo.store)).toEqual(before);
 */
export async function storeSnapshot(store: Pick<Store, 'kind' | 'location'>): Promise<Record<string, string>> {
  if (store.kind === 'sqlite') return hashTables(sqliteTables(store.location));
  return hashTables(await postgresTables(store.location));
}
