/**
 * Opens a PostgreSQL database for the server: a connection pool, one
 * connection tried up front (so a wrong URL or an unreachable server is one
 * clear line, not a failure at the first request), and the migrations in
 * `migrations/` applied under an advisory lock, so several server processes
 * starting at once on a new database migrate it once.
 *
 * @example
 * const db = await openPostgres('postgres://gilbench@127.0.0.1/gilbench');
 */
import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { redact, StoreOpenError } from '../core/store.ts';
import { Db, PG_TYPES } from './db.ts';

export const PG_MIGRATIONS_DIR = fileURLToPath(new URL('./migrations', import.meta.url));

/** Any constant of our own: the advisory lock key migrations take. */
const MIGRATION_LOCK = 0x67696c62; // 'gilb'

export interface PostgresOptions {
  /** Most connections this process holds (default 10). */
  poolSize?: number;
}

export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<Db> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    types: PG_TYPES,
    connectionTimeoutMillis: 15_000,
    application_name: 'gilbench',
  });
  // An idle connection the server drops (restart, failover) must not take the process down.
  pool.on('error', () => {});
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    await pool.end().catch(() => {});
    throw new StoreOpenError(`cannot open ${redact(url)}: ${oneLine(err)}`);
  }
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await migrate(drizzle(client), { migrationsFolder: PG_MIGRATIONS_DIR });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } catch (err) {
    client.release();
    await pool.end().catch(() => {});
    throw new StoreOpenError(`cannot migrate the PostgreSQL database ${redact(url)}: ${oneLine(err)}`);
  }
  client.release();
  return new Db(pool);
}

function oneLine(err: unknown): string {
  const e = err as { message?: string; code?: string };
  const text = (e.message || e.code || String(err)).split('\n')[0] ?? '';
  return text || 'unknown error';
}
