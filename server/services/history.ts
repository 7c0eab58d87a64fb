/**
 * Series history over any store, with the caches that make it fast: whole
 * series' columns kept as JSON text and keyed by the series' version (any
 * range of a series, as a dashboard zooms or pages, is cut from memory
 * between uploads), and run ids by internal key (a run's id never changes,
 * and a deleted run's key is never reused).
 *
 * @example
 * const history = createHistoryService(store);
 * const text = await history.json(seriesId, { limit: 500 });
 */
import type { Store } from '../store/core/store.ts';
import type {
  Annotation,
  HistoryPoint,
  HistoryView,
  Regression,
  RuntimeChangeRow,
  SeriesInfo,
} from '../store/core/types.ts';

export interface HistoryOptions {
  /** Series with at most this many points are kept whole in memory for history reads (default 20,000). */
  wholeSeriesPoints?: number;
}

export type HistoryRangeInput = { from?: number; to?: number; limit?: number };

export interface HistoryService {
  view(id: number, range: HistoryRangeInput): Promise<HistoryView | null>;
  /**
   * `view` as JSON text for the API, with the points as columns
   * (`{series, points: HistoryColumns, regressions, annotations}`): a series may have
   * 10,000 points, and cutting their JSON from text kept in memory is the fast way to answer.
   */
  json(id: number, range: HistoryRangeInput): Promise<string | null>;
}

/** Most run ids kept by internal key before the map starts again. */
const RUN_ID_CACHE_SIZE = 1_000_000;

/** Most bytes of history columns kept in memory (about 20 series of 10,000 points). */
const POINTS_CACHE_BYTES = 32 * 2 ** 20;
/** Series with at most this many points are kept whole in memory; longer ones are read per request. */
const WHOLE_SERIES_POINTS = 20_000;
/** The history columns, in the order `HistoryColumns` names them. */
const HISTORY_COLUMNS = ['runId', 'at', 'status', 'n', 'median', 'ciLow', 'ciHigh'] as const;

/**
 * A whole series' points as the JSON text of each column (without its brackets) and where each
 * element starts in it, so the JSON of any run of points is one substring per column.
 */
interface SeriesColumns {
  version: number;
  /** Each point's start time, oldest first: the order of the columns. */
  at: number[];
  columns: string[];
  /** Where each element starts in each column, found when a request first needs part of the series. */
  starts: Uint32Array[] | null;
  bytes: number;
}

/**
 * Where each element of a JSON array's inner text starts, plus one entry past the end.
 * The elements are numbers, null, statuses and run ids (uuids): none holds a comma.
 */
function elementStarts(text: string, count: number): Uint32Array {
  const starts = new Uint32Array(count + 1);
  let comma = -1;
  for (let k = 1; k < count; k++) {
    comma = text.indexOf(',', comma + 1); // a native scan; a loop over characters is several times slower
    starts[k] = comma + 1;
  }
  starts[count] = text.length + 1;
  return starts;
}

/** `{"runId":[...],"at":[...],...}` from the columns' inner texts. */
function columnsObject(texts: readonly string[]): string {
  return `{${HISTORY_COLUMNS.map((name, i) => `"${name}":[${texts[i]}]`).join(',')}}`;
}

/**
 * The newest `limit` points of a whole series with `from <= at <= to`, as `HistoryColumns`
 * JSON, and the first and last point's time (null when none).
 */
function sliceColumns(
  whole: SeriesColumns,
  from: number,
  to: number,
  limit: number,
): [string, number | null, number | null] {
  const end = searchSorted(whole.at, to, true);
  const start = Math.max(searchSorted(whole.at, from, false), end - limit);
  if (start >= end) return [columnsObject(HISTORY_COLUMNS.map(() => '')), null, null];
  if (start === 0 && end === whole.at.length)
    return [columnsObject(whole.columns), whole.at[start]!, whole.at[end - 1]!];
  whole.starts ??= whole.columns.map((text) => elementStarts(text, whole.at.length));
  const starts = whole.starts;
  const texts = whole.columns.map((text, c) => text.slice(starts[c]![start]!, starts[c]![end]! - 1));
  return [columnsObject(texts), whole.at[start]!, whole.at[end - 1]!];
}

/** The first index whose value is >= `value` (or > it, with `after`) in ascending `values`. */
function searchSorted(values: readonly number[], value: number, after: boolean): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (after ? values[mid]! <= value : values[mid]! < value) low = mid + 1;
    else high = mid;
  }
  return low;
}

export function createHistoryService(store: Store, options: HistoryOptions = {}): HistoryService {
  const wholeSeriesPoints = options.wholeSeriesPoints ?? WHOLE_SERIES_POINTS;
  const runIdCache = new Map<number, string>();
  /** Whole series' history columns by series id, least recently used first. */
  const pointsCache = new Map<number, SeriesColumns>();
  let pointsCacheBytes = 0;

  /** Run ids by internal key, in the order given. Known ones come from memory. */
  const runIds = async (pks: readonly number[]): Promise<string[]> => {
    const out = new Array<string>(pks.length);
    const missing: number[] = [];
    for (let i = 0; i < pks.length; i++) {
      const id = runIdCache.get(pks[i]!);
      if (id === undefined) missing.push(pks[i]!);
      else out[i] = id;
    }
    if (missing.length === 0) return out;
    const found = await store.runs.idsOf(missing);
    if (runIdCache.size + found.length > RUN_ID_CACHE_SIZE) runIdCache.clear();
    for (let i = 0; i < missing.length; i++) {
      const id = found[i];
      if (id !== null && id !== undefined) runIdCache.set(missing[i]!, id);
    }
    for (let i = 0; i < pks.length; i++) out[i] ??= runIdCache.get(pks[i]!)!;
    return out;
  };

  /**
   * The inner JSON text of each history column (no brackets) for the points from
   * (`fromAt`, `fromPk`) to `to`, oldest first, with the version they were read at and
   * the first and last point's time.
   */
  const columnsJson = async (
    id: number,
    fromAt: number,
    to: number,
    fromPk: number,
  ): Promise<{ version: number; texts: string[]; first: number | null; last: number | null } | null> => {
    const read = await store.series.columns(id, { fromAt, fromPk, to });
    if (!read) return null;
    const ids = await runIds(read.runPks);
    return {
      version: read.version,
      texts: [JSON.stringify(ids).slice(1, -1), ...read.texts],
      first: read.first,
      last: read.last,
    };
  };

  /** A whole series' columns at its current version, from memory or read (and kept) now. */
  const seriesColumns = async (id: number): Promise<SeriesColumns | null> => {
    const [version] = await store.series.versions([id]);
    if (version === null || version === undefined) return null;
    const cached = pointsCache.get(id);
    if (cached && cached.version === version) {
      pointsCache.delete(id); // most recently used last
      pointsCache.set(id, cached);
      return cached;
    }
    const read = await columnsJson(id, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER);
    if (!read) return null;
    const at = JSON.parse(`[${read.texts[1]}]`) as number[];
    // Labelled with the version the points were read at (one snapshot), not the one asked about.
    const entry: SeriesColumns = { version: read.version, at, columns: read.texts, starts: null, bytes: 0 };
    // Columns, start times, and the element starts once found.
    entry.bytes = entry.columns.reduce((n, text) => n + text.length, at.length * (8 + 4 * read.texts.length));
    const previous = pointsCache.get(id);
    if (previous) pointsCacheBytes -= previous.bytes;
    pointsCache.delete(id);
    pointsCache.set(id, entry);
    pointsCacheBytes += entry.bytes;
    for (const [key, value] of pointsCache) {
      if (pointsCacheBytes <= POINTS_CACHE_BYTES || key === id) break;
      pointsCache.delete(key);
      pointsCacheBytes -= value.bytes;
    }
    return entry;
  };

  /**
   * The points as columns for a series too long to keep whole in memory: from the oldest
   * point kept (found first, walking back `limit` points from the newest) to `to`.
   */
  const historyPoints = async (
    id: number,
    from: number,
    to: number,
    limit: number,
  ): Promise<[string, number | null, number | null]> => {
    const cut = await store.series.pointBack(id, { from, to, skip: limit - 1 });
    const read = await columnsJson(id, cut ? cut[0] : from, to, cut ? cut[1] : Number.MIN_SAFE_INTEGER);
    if (!read) return [columnsObject(HISTORY_COLUMNS.map(() => '')), null, null];
    return [columnsObject(read.texts), read.first, read.last];
  };

  /** Each series' runtime changes at the version they were read at (they change only with its points). */
  const changesCache = new Map<number, { version: number; rows: RuntimeChangeRow[] }>();
  const runtimeChanges = async (id: number, from: number, to: number): Promise<HistoryView['runtimeChanges']> => {
    const [version] = await store.series.versions([id]);
    let cached = changesCache.get(id);
    if (!cached || cached.version !== version) {
      cached = { version: version ?? -1, rows: await store.series.runtimeChanges(id) };
      if (changesCache.size >= 10_000) changesCache.clear();
      changesCache.set(id, cached);
    }
    const rows = cached.rows.filter((c) => c.at >= from && c.at <= to);
    const ids = await runIds(rows.map((c) => c.runPk));
    return rows.map((c, i) => ({ at: c.at, runId: ids[i]!, from: c.from, to: c.to }));
  };

  const around = (
    info: SeriesInfo,
    from: number,
    to: number,
  ): Promise<[Regression[], Annotation[], HistoryView['runtimeChanges']]> =>
    Promise.all([
      store.regressions.list({ series: info.id, from, to, limit: 1000 }),
      store.annotations.forSeries(info, from, to),
      runtimeChanges(info.id, from, to),
    ]);

  return {
    async view(id, range) {
      const info = await store.series.get(id);
      if (!info) return null;
      // The newest `limit` points in the range, returned oldest first, with run ids from memory.
      const rows = await store.series.points(id, {
        from: range.from ?? Number.MIN_SAFE_INTEGER,
        to: range.to ?? Number.MAX_SAFE_INTEGER,
        limit: range.limit ?? 10_000,
      });
      const ids = await runIds(rows.map((r) => r.runPk));
      const points: HistoryPoint[] = rows.map(({ runPk: _, ...p }, i) => ({ runId: ids[i]!, ...p }));
      const from = points.length ? points[0]!.at : (range.from ?? 0);
      const to = points.length ? points[points.length - 1]!.at : (range.to ?? 0);
      const [found, notes, changes] = await around(info, from, to);
      return { series: info, points, regressions: found, annotations: notes, runtimeChanges: changes };
    },

    async json(id, range) {
      const info = await store.series.get(id);
      if (!info) return null;
      const from = range.from ?? Number.MIN_SAFE_INTEGER;
      const to = range.to ?? Number.MAX_SAFE_INTEGER;
      const limit = range.limit ?? 10_000;
      // The points change only with the series' version; regressions and notes are read fresh every time.
      const whole = info.points <= wholeSeriesPoints ? await seriesColumns(id) : null;
      const [points, first, last] = whole
        ? sliceColumns(whole, from, to, limit)
        : await historyPoints(id, from, to, limit);
      const [found, notes, changes] = await around(info, first ?? from, last ?? to);
      return `{"series":${JSON.stringify(info)},"points":${points},"regressions":${JSON.stringify(found)},"annotations":${JSON.stringify(notes)},"runtimeChanges":${JSON.stringify(changes)}}`;
    },
  };
}
