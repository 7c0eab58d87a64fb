/**
 * Series (one machine, mode and case over time) and their history. The
 * history cache over any backend (server/services/history.ts) reads whole
 * series through `columns` and keys them by `versions`.
 *
 * @example
 * const [version] = await store.series.versions([id]);
 */
import type { HistoryColumnsText, HistoryRow, RuntimeChangeRow, SeriesFilter, SeriesInfo } from './types.ts';

export interface SeriesStore {
  /** By machine, suite, benchmark, case key, mode id; `mode` matches a mode id or a mode kind. */
  list(filter: SeriesFilter): Promise<SeriesInfo[]>;
  get(id: number): Promise<SeriesInfo | null>;
  /**
   * Each series' version, in the order given (null: no such series). A series' version
   * changes with every write that changes its points, its baseline or its changes, in
   * any process: equal versions mean equal data.
   */
  versions(ids: readonly number[]): Promise<Array<number | null>>;
  /**
   * The newest `limit` points with `from <= at <= to` (defaults: everything, 10,000),
   * returned oldest first, ordered by start time then run key.
   */
  points(id: number, range: { from: number; to: number; limit: number }): Promise<HistoryRow[]>;
  /**
   * The points from (`fromAt`, `fromPk`) (inclusive, in (start, run key) order) up to
   * `to`, oldest first, as column texts, read in one snapshot with the series' version.
   * Null when there is no such series.
   */
  columns(id: number, range: { fromAt: number; fromPk: number; to: number }): Promise<HistoryColumnsText | null>;
  /**
   * The (start, run key) of the point `skip` places back from the newest point with
   * `from <= at <= to` (0: the newest), or null when there are not that many.
   */
  pointBack(id: number, range: { from: number; to: number; skip: number }): Promise<[number, number] | null>;
  /**
   * Every point whose mode id differs from the point before it (a new release or build kind of the
   * series' runtime), oldest first: a series is one machine, case and mode kind, across runtimes.
   */
  runtimeChanges(id: number): Promise<RuntimeChangeRow[]>;
}
