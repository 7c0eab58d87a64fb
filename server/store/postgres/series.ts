/**
 * Series, their history and the detector's windows in PostgreSQL (see
 * core/series.ts and core/windows.ts). Each read that pairs points with the
 * series' version is one statement, so both come from one snapshot.
 *
 * @example const rows = await new PgSeries(db).points(id, { from, to, limit: 10_000 });
 */
import type { SeriesStore } from '../core/series.ts';
import type {
  HistoryColumnsText,
  HistoryRow,
  RegressionStatus,
  RuntimeChangeRow,
  SeriesFilter,
  SeriesInfo,
  StoredWindow,
} from '../core/types.ts';
import type { WindowStore } from '../core/windows.ts';
import type { Queryable } from './db.ts';
import { SERIES_SELECT, seriesInfo } from './rows.ts';

const MIN = Number.MIN_SAFE_INTEGER;

export class PgSeries implements SeriesStore {
  constructor(readonly db: Queryable) {}

  async list(filter: SeriesFilter): Promise<SeriesInfo[]> {
    const rows = await this.db.rows(
      `${SERIES_SELECT}
       WHERE ($1::int IS NULL OR se.machine_id = $1) AND ($2::text IS NULL OR s.name = $2)
         AND ($3::text IS NULL OR b.name = $3) AND ($4::text IS NULL OR c.key = $4)
         AND ($5::text IS NULL OR se.mode_name = $5 OR se.mode = $5)
       ORDER BY se.machine_id, s.name COLLATE "C", b.name COLLATE "C", c.key COLLATE "C", se.mode_name COLLATE "C"
       LIMIT $6`,
      [
        filter.machine ?? null,
        filter.suite ?? null,
        filter.benchmark ?? null,
        filter.caseKey ?? null,
        filter.mode ?? null,
        filter.limit ?? 10_000,
      ],
    );
    return rows.map(seriesInfo);
  }

  async get(id: number): Promise<SeriesInfo | null> {
    const row = await this.db.one(`${SERIES_SELECT} WHERE se.id = $1`, [id]);
    return row ? seriesInfo(row) : null;
  }

  async versions(ids: readonly number[]): Promise<Array<number | null>> {
    if (ids.length === 0) return [];
    const rows = await this.db.rows<{ id: number; version: number }>(
      'SELECT id, version FROM series WHERE id = ANY($1::int[])',
      [ids],
    );
    const byId = new Map(rows.map((r) => [r.id, r.version]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  async points(id: number, range: { from: number; to: number; limit: number }): Promise<HistoryRow[]> {
    const rows = await this.db.rows<{
      run_pk: number;
      started_at: number;
      status: HistoryRow['status'];
      n: number | null;
      median: number | null;
      ci_low: number | null;
      ci_high: number | null;
    }>(
      `SELECT run_pk, started_at, status, n, median, ci_low, ci_high FROM results
       WHERE series_id = $1 AND started_at >= $2 AND started_at <= $3
       ORDER BY started_at DESC, run_pk DESC LIMIT $4`,
      [id, range.from, range.to, range.limit],
    );
    rows.reverse();
    return rows.map((r) => ({
      runPk: r.run_pk,
      at: r.started_at,
      status: r.status,
      n: r.n,
      median: r.median,
      ciLow: r.ci_low,
      ciHigh: r.ci_high,
    }));
  }

  async runtimeChanges(id: number): Promise<RuntimeChangeRow[]> {
    const rows = await this.db.rows<{ started_at: number; run_pk: number; previous: string; mode_id: string }>(
      // As in SQLite: the lag over the covering index, names looked up where the mode row changed.
      `SELECT p.started_at, p.run_pk, before.name AS previous, after.name AS mode_id FROM (
         SELECT started_at, run_pk, mode_id, lag(mode_id) OVER (ORDER BY started_at, run_pk, position) AS prev_id
           FROM results WHERE series_id = $1) p
       JOIN modes before ON before.id = p.prev_id JOIN modes after ON after.id = p.mode_id
       WHERE p.prev_id <> p.mode_id AND before.name <> after.name ORDER BY p.started_at, p.run_pk`,
      [id],
    );
    return rows.map((r) => ({ at: Number(r.started_at), runPk: r.run_pk, from: r.previous, to: r.mode_id }));
  }

  async columns(id: number, range: { fromAt: number; fromPk: number; to: number }): Promise<HistoryColumnsText | null> {
    // PostgreSQL writes each column's JSON (float8 prints the shortest text that reads back
    // exactly); the version comes from the same statement, hence the same snapshot.
    const row = await this.db.one<{
      version: number;
      pks: number[] | null;
      at: string | null;
      status: string | null;
      n: string | null;
      median: string | null;
      ci_low: string | null;
      ci_high: string | null;
      first: number | null;
      last: number | null;
    }>(
      `SELECT se.version, p.* FROM series se LEFT JOIN LATERAL (
         SELECT array_agg(run_pk ORDER BY started_at, run_pk) AS pks,
           string_agg(started_at::text, ',' ORDER BY started_at, run_pk) AS at,
           string_agg('"' || status || '"', ',' ORDER BY started_at, run_pk) AS status,
           string_agg(coalesce(n::text, 'null'), ',' ORDER BY started_at, run_pk) AS n,
           string_agg(coalesce(median::text, 'null'), ',' ORDER BY started_at, run_pk) AS median,
           string_agg(coalesce(ci_low::text, 'null'), ',' ORDER BY started_at, run_pk) AS ci_low,
           string_agg(coalesce(ci_high::text, 'null'), ',' ORDER BY started_at, run_pk) AS ci_high,
           min(started_at) AS first, max(started_at) AS last
         FROM results WHERE series_id = se.id AND (started_at, run_pk) >= ($2::bigint, $3::bigint) AND started_at <= $4
       ) p ON true WHERE se.id = $1`,
      [id, range.fromAt, range.fromPk, range.to],
    );
    if (!row) return null;
    return {
      version: row.version,
      runPks: row.pks ?? [],
      texts: [row.at, row.status, row.n, row.median, row.ci_low, row.ci_high].map((t) => t ?? ''),
      first: row.first,
      last: row.last,
    };
  }

  async pointBack(id: number, range: { from: number; to: number; skip: number }): Promise<[number, number] | null> {
    const row = await this.db.one<{ started_at: number; run_pk: number }>(
      `SELECT started_at, run_pk FROM results WHERE series_id = $1 AND started_at >= $2 AND started_at <= $3
       ORDER BY started_at DESC, run_pk DESC LIMIT 1 OFFSET $4`,
      [id, range.from, range.to, range.skip],
    );
    return row ? [row.started_at, row.run_pk] : null;
  }
}

export class PgWindows implements WindowStore {
  constructor(readonly db: Queryable) {}

  async load(seriesIds: readonly number[], size: number): Promise<Array<StoredWindow | null>> {
    if (seriesIds.length === 0) return [];
    // One statement for every series: versions, windows and changes from one snapshot.
    const rows = await this.db.rows<{
      id: number;
      version: number;
      pks: number[] | null;
      ats: number[] | null;
      levels: number[] | null;
      rses: Array<number | null> | null;
      change_pks: number[] | null;
      change_statuses: RegressionStatus[] | null;
    }>(
      `SELECT se.id, se.version, w.pks, w.ats, w.levels, w.rses, g.change_pks, g.change_statuses
       FROM series se
       LEFT JOIN LATERAL (
         SELECT array_agg(run_pk ORDER BY started_at, run_pk) AS pks,
           array_agg(started_at ORDER BY started_at, run_pk) AS ats,
           array_agg(level_ns ORDER BY started_at, run_pk) AS levels,
           array_agg(level_rse ORDER BY started_at, run_pk) AS rses
         FROM (SELECT run_pk, started_at, level_ns, level_rse FROM results
               WHERE series_id = se.id AND status = 'ok' AND level_ns IS NOT NULL
                 AND started_at >= coalesce(se.baseline_from, $3::bigint)
               ORDER BY started_at DESC, run_pk DESC LIMIT $2) x
       ) w ON true
       LEFT JOIN LATERAL (
         SELECT array_agg(run_pk ORDER BY id) AS change_pks, array_agg(status ORDER BY id) AS change_statuses
         FROM regressions WHERE series_id = se.id
       ) g ON true
       WHERE se.id = ANY($1::int[])`,
      [seriesIds, size, MIN],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    return seriesIds.map((id) => {
      const r = byId.get(id);
      if (!r) return null;
      const levels = r.levels ?? [];
      const rses = r.rses ?? [];
      return {
        seriesId: id,
        version: r.version,
        points: levels.map((level, i) => ({ level, rse: rses[i] ?? 0 })),
        runPks: r.pks ?? [],
        startedAts: r.ats ?? [],
        changes: (r.change_pks ?? []).map((runPk, i) => ({ runPk, status: r.change_statuses![i]! })),
      };
    });
  }
}
