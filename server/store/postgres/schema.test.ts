/**
 * The PostgreSQL schema mirrors the SQLite one: the same tables with the same columns in the
 * same order, each nullable on both sides or on neither (what `gilbench server migrate` and
 * the contract suite rely on).
 */
import { getTableColumns, getTableName, is } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import * as sqliteSchema from '../sqlite/schema.ts';
import * as pgSchema from './schema.ts';

type AnyTable = Parameters<typeof getTableColumns>[0];

function shape(tables: AnyTable[]) {
  return Object.fromEntries(
    tables
      .map((t) => [
        getTableName(t),
        Object.values(getTableColumns(t)).map((c) => `${c.name}${c.notNull ? ' not null' : ''}`),
      ])
      .sort(),
  );
}

describe('PostgreSQL schema', () => {
  it('has the tables and columns of the SQLite schema', () => {
    const sqlite = Object.values(sqliteSchema).filter((v) => is(v, SQLiteTable)) as AnyTable[];
    const pg = Object.values(pgSchema).filter((v) => is(v, PgTable)) as AnyTable[];
    expect(sqlite.length).toBeGreaterThan(10);
    expect(shape(pg)).toEqual(shape(sqlite));
  });
});
