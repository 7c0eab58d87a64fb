/**
 * The detector's windows in SQLite: one read transaction per call, so each
 * window's version, points and changes come from one snapshot.
 * @example const [window] = await store.windows.load([seriesId], 80);
 */
import type { RegressionStatus, StoredWindow } from '../core/types.ts';
import type { WindowStore } from '../core/windows.ts';
import type { SqliteDb } from './db.ts';

export class SqliteWindows implements WindowStore {
  constructor(readonly db: SqliteDb) {}

  async load(seriesIds: readonly number[], size: number): Promise<Array<StoredWindow | null>> {
    return this.db.read(() => seriesIds.map((id) => this.#load(id, size)));
  }

  #load(seriesId: number, size: number): StoredWindow | null {
    const head = this.db.sql('SELECT version, baseline_from FROM series WHERE id = ?').raw().get(seriesId) as
      | [number, number | null]
      | undefined;
    if (!head) return null;
    const rows = this.db
      .sql(
        `SELECT r.run_pk, r.started_at, r.level_ns, r.level_rse FROM results r
         WHERE r.series_id = @id AND r.status = 'ok' AND r.level_ns IS NOT NULL AND r.started_at >= @from
         ORDER BY r.started_at DESC, r.run_pk DESC LIMIT @size`,
      )
      .raw()
      .all({ id: seriesId, from: head[1] ?? Number.MIN_SAFE_INTEGER, size }) as Array<
      [number, number, number, number | null]
    >;
    rows.reverse();
    const changes = this.db
      .sql('SELECT run_pk, status FROM regressions WHERE series_id = ?')
      .raw()
      .all(seriesId) as Array<[number, RegressionStatus]>;
    return {
      seriesId,
      version: head[0],
      runPks: rows.map((r) => r[0]),
      startedAts: rows.map((r) => r[1]),
      points: rows.map((r) => ({ level: r[2], rse: r[3] ?? 0 })),
      changes: changes.map(([runPk, status]) => ({ runPk, status })),
    };
  }
}
