/**
 * Empty PostgreSQL databases for the contract suite and the tests that run on
 * both backends: each a new database in the test run's private cluster
 * (test/global-setup.ts provides its URL).
 *
 * @example const db = await postgresTestBackend.create(); const store = await db.open();
 */
import pg from 'pg';
import { inject } from 'vitest';
import type { TestBackend, TestDatabase } from '../testing.ts';
import { PG_TYPES } from './db.ts';
import { openPostgresStore } from './index.ts';
import { createDatabase } from './test/cluster.ts';

/**
 * Every table's rows of the database at `url`, each row as its column values (bytea as hex),
 * in key order, without the tokens' use times and drizzle's own bookkeeping.
 * @example const tables = await postgresTables(url);
 */
export async function postgresTables(url: string): Promise<Record<string, unknown[][]>> {
  const client = new pg.Client({ connectionString: url, types: PG_TYPES });
  await client.connect();
  try {
    const out: Record<string, unknown[][]> = {};
    const { rows: tables } = await client.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables
       WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name COLLATE "C"`,
    );
    for (const { name } of tables) {
      const { rows: columns } = await client.query<{ name: string }>(
        `SELECT column_name AS name FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`,
        [name],
      );
      const list = columns.map((c) => c.name).filter((c) => !(name === 'tokens' && c === 'last_used_at'));
      // The first two columns are keys or plain values in every table (never json): a stable order.
      const result = await client.query({
        text: `SELECT ${list.map((c) => `"${c}"`).join(', ')} FROM "${name}" ORDER BY 1, 2`,
        rowMode: 'array',
      });
      out[name] = (result.rows as unknown[][]).map((row) =>
        row.map((v) => (Buffer.isBuffer(v) ? v.toString('hex') : v)),
      );
    }
    return out;
  } finally {
    await client.end();
  }
}

export const postgresTestBackend: TestBackend = {
  name: 'postgres',
  async create(): Promise<TestDatabase> {
    const db = await createDatabase(inject('pgUrl'));
    return {
      url: db.url,
      open: async () => openPostgresStore(db.url),
      tables: () => postgresTables(db.url),
      drop: db.drop,
    };
  },
};
