/**
 * `gilbench server migrate`: copies a SQLite database into PostgreSQL, row for
 * row, in one transaction: ids, run documents (JSON kept as its text), token
 * hashes (so tokens stay valid) and every time are the same on the other side.
 * A target that holds rows is refused unless `force` (then it is emptied
 * first, in the same transaction). Before committing, every table's row count
 * and checksum are compared on both sides; any difference rolls everything back.
 *
 * @example
 * const report = await migrateSqliteToPostgres({ from: 'gilbench.db', to: 'postgres://…', onProgress: console.log });
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { getTableColumns, getTableName } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Tx } from './postgres/db.ts';
import { openPostgresStore } from './postgres/index.ts';
import { canonicalJson } from './postgres/rows.ts';
import * as pgSchema from './postgres/schema.ts';
import { openDatabase } from './sqlite/open.ts';

/** Tables in an order where every row's references are copied before it. */
const TABLES: PgTable[] = [
  pgSchema.machines,
  pgSchema.runtimes,
  pgSchema.modes,
  pgSchema.suites,
  pgSchema.benchmarks,
  pgSchema.cases,
  pgSchema.runs,
  pgSchema.runModes,
  pgSchema.series,
  pgSchema.results,
  pgSchema.regressions,
  pgSchema.annotations,
  pgSchema.schedules,
  pgSchema.jobs,
  pgSchema.tokens,
  pgSchema.enrollmentRequests,
];

/** A column's kind, as the copy and the checksum treat it. */
type Kind = 'number' | 'text' | 'boolean' | 'json' | 'bytes';

interface TableSpec {
  name: string;
  columns: Array<{ name: string; kind: Kind; sqlType: string }>;
  /** The key columns: the order rows are read and checksummed in on both sides. */
  key: string[];
}

function kindOf(column: PgColumn): Kind {
  switch (column.columnType) {
    case 'PgBoolean':
      return 'boolean';
    case 'PgJson':
    case 'PgJsonb':
      return 'json';
    case 'PgText':
      return 'text';
    case 'PgCustomColumn':
      return 'bytes';
    default:
      return 'number';
  }
}

export const TABLE_SPECS: TableSpec[] = TABLES.map((table) => {
  const columns = Object.values(getTableColumns(table)).map((c) => ({
    name: c.name,
    kind: kindOf(c),
    sqlType: c.getSQLType(),
  }));
  const name = getTableName(table);
  const key = name === 'run_modes' ? ['run_pk', 'position'] : name === 'runs' ? ['pk'] : ['id'];
  return { name, columns, key };
});

export interface TableReport {
  table: string;
  rows: number;
  /** sha256 (first 16 hex digits) of the rows in key order, the same on both sides. */
  checksum: string;
}

export interface MigrateOptions {
  /** The SQLite file. */
  from: string;
  /** The PostgreSQL URL. */
  to: string;
  /** Empty a target that holds rows instead of refusing it. */
  force?: boolean;
  /** Rows per INSERT (default: as many as fit 30,000 parameters). */
  batchRows?: number;
  onProgress?: (event: { table: string; done: number; total: number }) => void;
}

/** What the caller asked for cannot be done as asked: the CLI prints it as one line, exit 2. */
export class MigrateRefused extends Error {
  override name = 'MigrateRefused';
}

/** A value as the checksum sees it: one form for both databases. */
function normal(kind: Kind, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'boolean':
      return typeof value === 'boolean' ? value : value !== 0;
    case 'json':
      return canonicalJson(typeof value === 'string' ? JSON.parse(value) : value);
    case 'bytes':
      return (value as Buffer).toString('hex');
    case 'number':
      return Number(value);
    default:
      return value;
  }
}

function rowHash(): { add(kinds: Kind[], row: unknown[]): void; digest(): string } {
  const hash = createHash('sha256');
  return {
    add(kinds, row) {
      hash.update(JSON.stringify(row.map((v, i) => normal(kinds[i]!, v))));
      hash.update('\n');
    },
    digest: () => hash.digest('hex').slice(0, 16),
  };
}

/** Row counts and checksums of the SQLite file's tables. */
export function sqliteChecksums(sqlite: Database.Database): TableReport[] {
  return TABLE_SPECS.map((spec) => {
    const kinds = spec.columns.map((c) => c.kind);
    const h = rowHash();
    let rows = 0;
    const statement = sqlite
      .prepare(
        `SELECT ${spec.columns.map((c) => `"${c.name}"`).join(', ')} FROM "${spec.name}" ORDER BY ${spec.key.join(', ')}`,
      )
      .raw();
    for (const row of statement.iterate() as Iterable<unknown[]>) {
      h.add(kinds, row);
      rows++;
    }
    return { table: spec.name, rows, checksum: h.digest() };
  });
}

/** Row counts and checksums of the PostgreSQL tables, read on `t` (json read as its text). */
export async function postgresChecksums(t: Pick<Tx, 'rows'>, pageRows = 20_000): Promise<TableReport[]> {
  const out: TableReport[] = [];
  for (const spec of TABLE_SPECS) {
    const kinds = spec.columns.map((c) => c.kind);
    const select = spec.columns.map((c) => (c.kind === 'json' ? `"${c.name}"::text` : `"${c.name}"`)).join(', ');
    const h = rowHash();
    let rows = 0;
    // Keyset pages: memory stays flat for a million results.
    let after: unknown[] | null = null;
    for (;;) {
      const where = after ? `WHERE (${spec.key.join(', ')}) > (${spec.key.map((_, i) => `$${i + 1}`).join(', ')})` : '';
      const page: Array<Record<string, unknown>> = await t.rows(
        `SELECT ${select}, ${spec.key.map((k) => `"${k}" AS "__${k}"`).join(', ')} FROM "${spec.name}" ${where}
         ORDER BY ${spec.key.join(', ')} LIMIT ${pageRows}`,
        after ?? [],
      );
      for (const r of page) {
        h.add(
          kinds,
          spec.columns.map((c) => r[c.name]),
        );
      }
      rows += page.length;
      if (page.length < pageRows) break;
      const last = page[page.length - 1]!;
      after = spec.key.map((k) => last[`__${k}`]);
    }
    out.push({ table: spec.name, rows, checksum: h.digest() });
  }
  return out;
}

/**
 * Copies every table of the SQLite file `from` into the PostgreSQL database `to` (created
 * tables, migrated) and verifies the copy; returns each table's count and checksum.
 * Throws MigrateRefused (nothing written) when the source is missing, the target holds
 * rows without `force`, or the copy does not verify.
 */
export async function migrateSqliteToPostgres(options: MigrateOptions): Promise<TableReport[]> {
  if (!existsSync(options.from)) throw new MigrateRefused(`no SQLite database at ${options.from}`);
  // Opening migrates the file to the current schema first (as the server would).
  const source = openDatabase(options.from);
  try {
    const target = await openPostgresStore(options.to);
    try {
      return await target.db.tx(async (t) => {
        const counts = await t.rows<{ table: string; rows: number }>(
          TABLE_SPECS.map((s) => `SELECT '${s.name}' AS table, count(*) AS rows FROM "${s.name}"`).join(' UNION ALL '),
        );
        const filled = counts.filter((c) => c.rows > 0);
        if (filled.length && !options.force) {
          throw new MigrateRefused(
            `${target.location} is not empty (${filled.map((c) => `${c.table}: ${c.rows}`).join(', ')}); pass --force to replace its contents`,
          );
        }
        if (filled.length) {
          // Kept answers are not copied (they are computed again); the target's old ones go too.
          const emptied = [...TABLE_SPECS.map((s) => s.name), 'answers'];
          await t.run(`TRUNCATE ${emptied.map((name) => `"${name}"`).join(', ')} RESTART IDENTITY CASCADE`);
        }
        for (const spec of TABLE_SPECS) await copyTable(source.sqlite, t, spec, options);
        // Identities continue after the copied ids, so new rows never take an old id.
        for (const spec of TABLE_SPECS) {
          if (spec.key.length !== 1 || spec.name === 'tokens') continue;
          const k = spec.key[0]!;
          await t.one(
            `SELECT setval(pg_get_serial_sequence('"${spec.name}"', '${k}'), coalesce(max("${k}"), 0) + 1, false) FROM "${spec.name}"`,
          );
        }
        const expected = sqliteChecksums(source.sqlite);
        const got = await postgresChecksums(t);
        const wrong = expected.filter((e, i) => e.rows !== got[i]!.rows || e.checksum !== got[i]!.checksum);
        if (wrong.length) {
          throw new MigrateRefused(
            `the copy does not match its source in ${wrong.map((w) => w.table).join(', ')}; nothing was written`,
          );
        }
        return got;
      });
    } finally {
      await target.close();
    }
  } finally {
    source.close();
  }
}

async function copyTable(sqlite: Database.Database, t: Tx, spec: TableSpec, options: MigrateOptions): Promise<void> {
  const names = spec.columns.map((c) => `"${c.name}"`).join(', ');
  const total = (sqlite.prepare(`SELECT count(*) FROM "${spec.name}"`).pluck().get() as number) ?? 0;
  const batch = options.batchRows ?? Math.max(1, Math.floor(30_000 / spec.columns.length));
  const convert = spec.columns.map((c) => {
    if (c.kind === 'boolean') return (v: unknown) => (v === null ? null : v !== 0);
    return (v: unknown) => v;
  });
  const casts = spec.columns.map((c) => `::${c.sqlType}`);
  const flush = async (rows: unknown[][]) => {
    const values: unknown[] = [];
    const tuples = rows.map((row) => {
      const slots = row.map((v, i) => {
        values.push(convert[i]!(v));
        return `$${values.length}${casts[i]}`;
      });
      return `(${slots.join(', ')})`;
    });
    // OVERRIDING SYSTEM VALUE is not needed: identities are GENERATED BY DEFAULT, so ids given are kept.
    await t.run(`INSERT INTO "${spec.name}" (${names}) VALUES ${tuples.join(', ')}`, values);
  };
  let done = 0;
  let pending: unknown[][] = [];
  options.onProgress?.({ table: spec.name, done, total });
  const statement = sqlite.prepare(`SELECT ${names} FROM "${spec.name}" ORDER BY ${spec.key.join(', ')}`).raw();
  for (const row of statement.iterate() as Iterable<unknown[]>) {
    pending.push(row);
    if (pending.length >= batch) {
      await flush(pending);
      done += pending.length;
      pending = [];
      options.onProgress?.({ table: spec.name, done, total });
    }
  }
  if (pending.length) {
    await flush(pending);
    done += pending.length;
    options.onProgress?.({ table: spec.name, done, total });
  }
}
