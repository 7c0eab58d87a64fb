/**
 * Changes the detector found, in PostgreSQL (see core/regressions.ts). The
 * unique (series, run) key makes a second insert of one change a no-op in
 * any process.
 *
 * @example const id = await new PgRegressions(db).insert(change, Date.now());
 */
import type { RegressionStore } from '../core/regressions.ts';
import type { NewChange, Regression, RegressionFilter, RegressionPatch } from '../core/types.ts';
import type { Db } from './db.ts';
import { REGRESSION_SELECT, regressionView } from './rows.ts';

/** The WHERE of `list` and `count` ($1 to $6). */
const FILTER = `WHERE ($1::text IS NULL OR g.status = $1) AND ($2::text IS NULL OR g.kind = $2)
  AND ($3::int IS NULL OR se.machine_id = $3) AND ($4::int IS NULL OR g.series_id = $4)
  AND ($5::bigint IS NULL OR g.started_at >= $5) AND ($6::bigint IS NULL OR g.started_at <= $6)`;

const filterValues = (filter: RegressionFilter) => [
  filter.status ?? null,
  filter.kind ?? null,
  filter.machine ?? null,
  filter.series ?? null,
  filter.from ?? null,
  filter.to ?? null,
];

export class PgRegressions implements RegressionStore {
  constructor(readonly db: Db) {}

  async list(filter: RegressionFilter): Promise<Regression[]> {
    const rows = await this.db.rows(`${REGRESSION_SELECT} ${FILTER} ORDER BY g.started_at DESC, g.id DESC LIMIT $7`, [
      ...filterValues(filter),
      filter.limit ?? 500,
    ]);
    return rows.map(regressionView);
  }

  async count(filter: RegressionFilter): Promise<number> {
    const row = await this.db.one<{ n: number }>(
      `SELECT count(*)::int AS n FROM regressions g JOIN series se ON se.id = g.series_id ${FILTER}`,
      filterValues(filter),
    );
    return row?.n ?? 0;
  }

  async get(id: number): Promise<Regression | null> {
    const row = await this.db.one(`${REGRESSION_SELECT} WHERE g.id = $1`, [id]);
    return row ? regressionView(row) : null;
  }

  insert(c: NewChange, now: number): Promise<number | null> {
    return this.db.tx(async (t) => {
      const row = await t.one<{ id: number }>(
        `INSERT INTO regressions (series_id, run_pk, previous_run_pk, detected_run_pk, kind, status, note, change,
           change_ci_low, change_ci_high, confidence, score, before_ns, after_ns, noise, before_count, after_count, method,
           started_at, detected_at, updated_at)
         SELECT $1, $2, $3, $4, $5, 'new', '', $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, ru.started_at, $17, $17
         FROM runs ru WHERE ru.pk = $2
         ON CONFLICT (series_id, run_pk) DO NOTHING RETURNING id`,
        [
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
          now,
        ],
      );
      if (!row) return null;
      await t.run('UPDATE series SET version = version + 1 WHERE id = $1', [c.seriesId]);
      return row.id;
    });
  }

  update(id: number, patch: RegressionPatch, now: number): Promise<boolean> {
    return this.db.tx(async (t) => {
      const row = await t.one<{ series_id: number }>(
        `UPDATE regressions SET status = coalesce($2, status), note = coalesce($3, note), updated_at = $4
         WHERE id = $1 RETURNING series_id`,
        [id, patch.status ?? null, patch.note ?? null, now],
      );
      if (!row) return false;
      await t.run(
        `UPDATE series SET version = version + 1,
           baseline_from = CASE WHEN $2::bigint IS NULL THEN baseline_from ELSE greatest(coalesce(baseline_from, $2), $2) END
         WHERE id = $1`,
        [row.series_id, patch.baselineFrom ?? null],
      );
      return true;
    });
  }
}
