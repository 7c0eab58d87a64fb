/**
 * Empty SQLite databases for the contract suite: files in a temporary folder.
 * @example const db = await sqliteTestBackend.create();
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { TestBackend, TestDatabase } from '../testing.ts';
import { openSqliteStore } from './index.ts';

let made = 0;

/**
 * Every table's rows of a SQLite file, each row as its column values (blobs as hex),
 * without the tokens' use times.
 * @example const tables = sqliteTables('/tmp/x.db');
 */
export function sqliteTables(file: string): Record<string, unknown[][]> {
  const sqlite = new Database(file, { readonly: true });
  try {
    const out: Record<string, unknown[][]> = {};
    const names = sqlite
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .pluck()
      .all() as string[];
    for (const table of names) {
      const columns = (sqlite.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>)
        .map((c) => c.name)
        .filter((c) => !(table === 'tokens' && c === 'last_used_at'));
      const rows = sqlite
        .prepare(`SELECT ${columns.join(', ')} FROM ${table} ORDER BY rowid`)
        .raw()
        .all() as unknown[][];
      out[table] = rows.map((row) => row.map((v) => (Buffer.isBuffer(v) ? v.toString('hex') : v)));
    }
    return out;
  } finally {
    sqlite.close();
  }
}

export const sqliteTestBackend: TestBackend = {
  name: 'sqlite',
  async create(): Promise<TestDatabase> {
    const dir = mkdtempSync(join(tmpdir(), 'gilbench-store-'));
    const file = join(dir, `contract-${process.pid}-${++made}.db`);
    return {
      url: file,
      open: async () => openSqliteStore(file),
      tables: async () => sqliteTables(file),
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
};
