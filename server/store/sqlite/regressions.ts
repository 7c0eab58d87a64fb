/**
 * Detected changes in SQLite.
 * @example const id = await store.regressions.insert(change, Date.now());
 */
import { eq, sql } from 'drizzle-orm';
import type { RegressionStore } from '../core/regressions.ts';
import type { NewChange, Regression, RegressionFilter, RegressionPatch } from '../core/types.ts';
import type { SqliteDb } from './db.ts';
import { REGRESSION_COLUMNS, REGRESSION_JOINS, regressionView } from './rows.ts';
import { regressions, series } from './schema.ts';

/** The WHERE of `list` and `count`. */
const FILTER = `WHERE (@status IS NULL OR g.status = @status) AND (@kind IS NULL OR g.kind = @kind)
  AND (@machine IS NULL OR se.machine_id = @machine) AND (@series IS NULL OR g.series_id = @series)
  AND (@from IS NULL OR g.started_at >= @from) AND (@to IS NULL OR g.started_at <= @to)`;

const filterValues = (filter: RegressionFilter) => ({
  status: filter.status ?? null,
  kind: filter.kind ?? null,
  machine: filter.machine ?? null,
  series: filter.series ?? null,
  from: filter.from ?? null,
  to: filter.to ?? null,
});

export class SqliteRegressions implements RegressionStore {
  constructor(readonly db: SqliteDb) {}

  async list(filter: RegressionFilter): Promise<Regression[]> {
    const rows = this.db
      .sql(
        `SELECT ${REGRESSION_COLUMNS} FROM regressions g ${REGRESSION_JOINS}
         ${FILTER} ORDER BY g.started_at DESC, g.id DESC LIMIT @limit`,
      )
      .all({ ...filterValues(filter), limit: filter.limit ?? 500 }) as Array<Record<string, unknown>>;
    return rows.map(regressionView);
  }

  async count(filter: RegressionFilter): Promise<number> {
    const row = this.db
      .sql(`SELECT count(*) AS n FROM regressions g JOIN series se ON se.id = g.series_id ${FILTER}`)
      .get(filterValues(filter)) as { n: number };
    return row.n;
  }

  async get(id: number): Promise<Regression | null> {
    const row = this.db
      .sql(`SELECT ${REGRESSION_COLUMNS} FROM regressions g ${REGRESSION_JOINS} WHERE g.id = ?`)
      .get(id) as Record<string, unknown> | undefined;
    return row ? regressionView(row) : null;
  }

  async insert(c: NewChange, now: number): Promise<number | null> {
    return this.db.write(() => {
      const row = this.db
        .sql(
          `INSERT INTO regressions (series_id, run_pk, previous_run_pk, detected_run_pk, kind, status, note, change,
             change_ci_low, change_ci_high, confidence, score, before_ns, after_ns, noise, before_count, after_count, method,
             started_at, detected_at, updated_at)
           VALUES (?, ?, ?, ?, ?, 'new', '', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT started_at FROM runs WHERE pk = ?), ?, ?)
           ON CONFLICT (series_id, run_pk) DO NOTHING RETURNING id`,
        )
        .get(
          c.seriesId,
          c.runPk,
          c.previousRunPk,
          c.detectedRunPk,
          c.kind,
          c.change,
          c.changeCiLow,
          c.changeCiHigh,
          c.confidence,
          c.score,
          c.beforeNs,
          c.afterNs,
          c.noise,
          c.beforeCount,
          c.afterCount,
          c.method,
          c.runPk,
          now,
          now,
        ) as { id: number } | undefined;
      if (!row) return null;
      this.db.sql('UPDATE series SET version = version + 1 WHERE id = ?').run(c.seriesId);
      return row.id;
    });
  }

  async update(id: number, patch: RegressionPatch, now: number): Promise<boolean> {
    return this.db.write(() => {
      const row = this.db.orm
        .update(regressions)
        .set({
          ...(patch.status !== undefined ? { status: patch.status } : {}),
          ...(patch.note !== undefined ? { note: patch.note } : {}),
          updatedAt: now,
        })
        .where(eq(regressions.id, id))
        .returning({ seriesId: regressions.seriesId })
        .get();
      if (!row) return false;
      this.db.orm
        .update(series)
        .set({
          version: sql`${series.version} + 1`,
          ...(patch.baselineFrom !== undefined
            ? { baselineFrom: sql`max(coalesce(${series.baselineFrom}, 0), ${patch.baselineFrom})` }
            : {}),
        })
        .where(eq(series.id, row.seriesId))
        .run();
      return true;
    });
  }
}
