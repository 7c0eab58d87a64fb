/**
 * Where the end-to-end test's server keeps its data: a SQLite file, or (in
 * e2e.postgres.test.ts) a new database in the test run's private PostgreSQL
 * cluster. The agent side sees only the server's URL either way.
 *
 * @example
 * useE2eBackend('postgres');
 * const db = await serverDatabase(dir); // postgres://gilbench@127.0.0.1:PORT/gb_…
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { afterAll, inject } from 'vitest';

let backend: 'sqlite' | 'postgres' = 'sqlite';
const made: string[] = [];

/** Runs this file's tests on `kind` (call before the tests are collected). */
export function useE2eBackend(kind: 'sqlite' | 'postgres'): void {
  backend = kind;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: inject('pgUrl') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  if (made.length === 0) return;
  await admin(async (c) => {
    for (const name of made.splice(0)) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
});

/** A new, empty database for a server, as its `--db` value. */
export async function serverDatabase(dir: string): Promise<string> {
  if (backend === 'sqlite') return path.join(dir, 'db.sqlite');
  const name = `gb_e2e_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE template0`));
  made.push(name);
  const url = new URL(inject('pgUrl'));
  url.pathname = `/${name}`;
  return url.toString();
}
