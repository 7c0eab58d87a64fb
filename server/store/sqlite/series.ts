/**
 * Series and their history in SQLite, read from the covering index
 * `results_series_time` alone. SQLite writes the history columns' JSON itself
 * (json_group_array): for a series of 10,000 points that is the fast way.
 * @example const [version] = await store.series.versions([id]);
 */
import type { SeriesStore } from '../core/series.ts';
import type { HistoryColumnsText, HistoryRow, RuntimeChangeRow, SeriesFilter, SeriesInfo } from '../core/types.ts';
import type { SqliteDb } from './db.ts';
import { SERIES_COLUMNS, SERIES_JOINS, type SeriesDbRow, seriesInfo } from './rows.ts';

export class SqliteSeries implements SeriesStore {
  constructor(readonly db: SqliteDb) {}

  async list(filter: SeriesFilter): Promise<SeriesInfo[]> {
    const rows = this.db
      .sql(
        `SELECT ${SERIES_COLUMNS} FROM series se ${SERIES_JOINS}
         WHERE (@machine IS NULL OR se.machine_id = @machine) AND (@suite IS NULL OR s.name = @suite)
           AND (@benchmark IS NULL OR b.name = @benchmark) AND (@caseKey IS NULL OR c.key = @caseKey)
           AND (@mode IS NULL OR se.mode_name = @mode OR se.mode = @mode)
         ORDER BY se.machine_id, s.name, b.name, c.key, se.mode_name LIMIT @limit`,
      )
      .all({
        machine: filter.machine ?? null,
        suite: filter.suite ?? null,
        benchmark: filter.benchmark ?? null,
        caseKey: filter.caseKey ?? null,
        mode: filter.mode ?? null,
        limit: filter.limit ?? 10_000,
      }) as SeriesDbRow[];
    return rows.map(seriesInfo);
  }

  async get(id: number): Promise<SeriesInfo | null> {
    const row = this.db.sql(`SELECT ${SERIES_COLUMNS} FROM series se ${SERIES_JOINS} WHERE se.id = ?`).get(id) as
      | SeriesDbRow
      | undefined;
    return row ? seriesInfo(row) : null;
  }

  async versions(ids: readonly number[]): Promise<Array<number | null>> {
    if (ids.length === 1) {
      const version = this.db.sql('SELECT version FROM series WHERE id = ?').pluck().get(ids[0]) as number | undefined;
      return [version ?? null];
    }
    const rows = this.db
      .sql('SELECT id, version FROM series WHERE id IN (SELECT value FROM json_each(?))')
      .raw()
      .all(JSON.stringify(ids)) as Array<[number, number]>;
    const byId = new Map(rows);
    return ids.map((id) => byId.get(id) ?? null);
  }

  async points(id: number, range: { from: number; to: number; limit: number }): Promise<HistoryRow[]> {
    const rows = this.db
      .sql(
        `SELECT r.run_pk, r.started_at, r.status, r.n, r.median, r.ci_low, r.ci_high
         FROM results r
         WHERE r.series_id = @id AND r.started_at >= @from AND r.started_at <= @to
         ORDER BY r.started_at DESC, r.run_pk DESC LIMIT @limit`,
      )
      .raw()
      .all({ id, ...range }) as Array<
      [number, number, HistoryRow['status'], number | null, number | null, number | null, number | null]
    >;
    const points: HistoryRow[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const [runPk, at, status, n, median, ciLow, ciHigh] = rows[rows.length - 1 - i]!;
      points[i] = { runPk, at, status, n, median, ciLow, ciHigh };
    }
    return points;
  }

  async runtimeChanges(id: number): Promise<RuntimeChangeRow[]> {
    const rows = this.db
      .sql(
        // The lag runs over the covering index alone; only the points where the mode row changed
        // look up names (a rebuilt runtime is a new row under the same name: not a change).
        `SELECT p.started_at, p.run_pk, before.name, after.name FROM (
           SELECT started_at, run_pk, mode_id, lag(mode_id) OVER (ORDER BY started_at, run_pk, position) AS previous
           FROM results WHERE series_id = ?) p
         JOIN modes before ON before.id = p.previous JOIN modes after ON after.id = p.mode_id
         WHERE p.previous <> p.mode_id AND before.name <> after.name ORDER BY p.started_at, p.run_pk`,
      )
      .raw()
      .all(id) as Array<[number, number, string, string]>;
    return rows.map(([at, runPk, from, to]) => ({ at, runPk, from, to }));
  }

  async columns(id: number, range: { fromAt: number; fromPk: number; to: number }): Promise<HistoryColumnsText | null> {
    // One read transaction: the version and the points it labels come from the same snapshot.
    return this.db.read(() => {
      const version = this.db.sql('SELECT version FROM series WHERE id = ?').pluck().get(id) as number | undefined;
      if (version === undefined) return null;
      const row = this.db
        .sql(
          `SELECT json_group_array(p.run_pk), json_group_array(p.started_at), json_group_array(p.status),
                  json_group_array(p.n), json_group_array(p.median), json_group_array(p.ci_low),
                  json_group_array(p.ci_high), min(p.started_at), max(p.started_at)
           FROM (SELECT r.run_pk, r.started_at, r.status, r.n, r.median, r.ci_low, r.ci_high FROM results r
                 WHERE r.series_id = @id AND (r.started_at, r.run_pk) >= (@fromAt, @fromPk) AND r.started_at <= @to
                 ORDER BY r.started_at, r.run_pk) p`,
        )
        .raw()
        .get({ id, ...range }) as [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        number | null,
        number | null,
      ];
      return {
        version,
        runPks: JSON.parse(row[0]) as number[],
        texts: row.slice(1, 7).map((t) => (t as string).slice(1, -1)),
        first: row[7],
        last: row[8],
      };
    });
  }

  async pointBack(id: number, range: { from: number; to: number; skip: number }): Promise<[number, number] | null> {
    const row = this.db
      .sql(
        `SELECT started_at, run_pk FROM results WHERE series_id = @id AND started_at >= @from AND started_at <= @to
         ORDER BY started_at DESC, run_pk DESC LIMIT 1 OFFSET @skip`,
      )
      .raw()
      .get({ id, ...range }) as [number, number] | undefined;
    return row ?? null;
  }
}
