/**
 * The PostgreSQL backend: drizzle's pg-core schema and migrations on
 * node-postgres, one module per subject over one connection pool. Several
 * server processes may share one database: every atomic step of the contract
 * is one statement or one transaction, and nothing is cached across
 * processes that another could change (the only caches hold ids of rows that
 * never change).
 *
 * @example const store = await openPostgresStore('postgres://gilbench@127.0.0.1/gilbench');
 */
import { redact, type Store } from '../core/store.ts';
import { PgAnnotations } from './annotations.ts';
import { PgAnswers } from './answers.ts';
import type { Db } from './db.ts';
import { PgJobs, PgSchedules } from './jobs.ts';
import { PgMachines } from './machines.ts';
import { openPostgres, type PostgresOptions } from './open.ts';
import { PgRegressions } from './regressions.ts';
import { PgRuns } from './runs.ts';
import { PgSeries, PgWindows } from './series.ts';
import { PgTokens } from './tokens.ts';

export type { PostgresOptions };

export interface PostgresStore extends Store {
  readonly kind: 'postgres';
  /** The pool, for tests, `migrate` and the benchmark. */
  readonly db: Db;
}

/** Opens (and migrates) the database at `url`; throws StoreOpenError, one line, when it cannot. */
export async function openPostgresStore(url: string, options: PostgresOptions = {}): Promise<PostgresStore> {
  const db = await openPostgres(url, options);
  let closed: Promise<void> | null = null;
  return {
    kind: 'postgres',
    location: redact(url),
    db,
    tokens: new PgTokens(db),
    machines: new PgMachines(db),
    runs: new PgRuns(db),
    series: new PgSeries(db),
    windows: new PgWindows(db),
    regressions: new PgRegressions(db),
    annotations: new PgAnnotations(db),
    schedules: new PgSchedules(db),
    jobs: new PgJobs(db),
    answers: new PgAnswers(db),
    health: {
      async ping() {
        await db.rows('SELECT 1');
      },
    },
    close() {
      closed ??= db.pool.end();
      return closed;
    },
  };
}
