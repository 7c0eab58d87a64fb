/**
 * Which database a reliability test's server runs on: a SQLite file, or (in
 * the `*.postgres.reliability.test.ts` twins) a new database in the test
 * run's private PostgreSQL cluster; and what the database holds afterwards,
 * read the same way on both (see `inspectDatabase`).
 *
 * @example
 * useReliabilityBackend('postgres');
 * const db = await reliabilityDatabase(dir, 'faults'); // a --db value
 */
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { PG_TYPES } from '../store/postgres/db.ts';
import { createDatabase } from '../store/postgres/test/cluster.ts';
import { type DatabaseReport, inspectDatabase, type StoredRun } from '../test-support/index.ts';

let backend: 'sqlite' | 'postgres' = 'sqlite';

export function useReliabilityBackend(kind: 'sqlite' | 'postgres'): void {
  backend = kind;
}

/** A new, empty database as a `--db` value. */
export async function reliabilityDatabase(dir: string, name: string): Promise<string> {
  if (backend === 'sqlite') return join(dir, `${name}.db`);
  return (await createDatabase(inject('pgUrl'), `gb_${name}`)).url;
}

/**
 * `inspectDatabase` for either backend. PostgreSQL checks its own pages and foreign keys as
 * it writes (it has no `PRAGMA integrity_check`): its integrity is that every row still
 * reads and every reference resolves, which the queries below check by reading them all.
 */
export async function inspectAny(db: string): Promise<DatabaseReport> {
  if (!/^postgres(ql)?:/.test(db)) return inspectDatabase(db);
  const client = new pg.Client({ connectionString: db, types: PG_TYPES });
  await client.connect();
  try {
    const orphans = await client.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM results x LEFT JOIN runs r ON r.pk = x.run_pk WHERE r.pk IS NULL)
            + (SELECT count(*) FROM results x LEFT JOIN series s ON s.id = x.series_id WHERE s.id IS NULL)
            + (SELECT count(*) FROM run_modes m LEFT JOIN runs r ON r.pk = m.run_pk WHERE r.pk IS NULL) AS n`,
    );
    const duplicates = await client.query<{ id: string }>('SELECT id FROM runs GROUP BY id HAVING count(*) > 1');
    const runs = await client.query<StoredRun>(
      `SELECT r.id AS id, r.result_count AS "resultCount",
         (SELECT count(*) FROM results x WHERE x.run_pk = r.pk) AS results,
         (SELECT count(*) FROM results x WHERE x.run_pk = r.pk AND x.samples IS NOT NULL) AS "withSamples",
         (SELECT coalesce(sum(length(x.samples)), 0) / 8 FROM results x WHERE x.run_pk = r.pk) AS "sampleValues",
         (SELECT count(*) FROM run_modes m WHERE m.run_pk = r.pk) AS modes
       FROM runs r`,
    );
    // sum() of bigint is numeric: a string here.
    for (const r of runs.rows) r.sampleValues = Number(r.sampleValues);
    return {
      integrity: 'ok',
      foreignKeyProblems: orphans.rows[0]!.n,
      runs: runs.rows,
      duplicates: duplicates.rows.map((d) => d.id),
    };
  } finally {
    await client.end();
  }
}
