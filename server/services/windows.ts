/**
 * The detector's windows over any store, kept between uploads and keyed by
 * the series' version: a window is used only when no one, in this process or
 * another, changed the series since it was read. An upload extends a cached
 * window in place (`append`) instead of reading it again.
 *
 * @example
 * const windows = createWindowCache(store);
 * const [w] = await windows.load([seriesId], 80);
 */
import type { SeriesPoint } from '../detector/detector.ts';
import type { Store } from '../store/core/store.ts';
import type { AppendedPoint, StoredWindow } from '../store/core/types.ts';
import { DomainError } from './errors.ts';

/** What the detector needs of one series. */
export interface DetectionWindow {
  seriesId: number;
  points: SeriesPoint[];
  /** Per point: the run's internal key. */
  runPks: number[];
  /** Indices of changes found earlier and not ignored. */
  boundaries: number[];
  /** Indices of changes a person marked as ignored. */
  skip: Set<number>;
}

interface CachedWindow extends DetectionWindow {
  version: number;
  size: number;
  startedAts: number[];
}

export interface WindowCache {
  /** The windows of these series (in the order given); an unknown series is a DomainError. */
  load(seriesIds: readonly number[], size: number): Promise<DetectionWindow[]>;
  /** Adds points just committed by an upload, where the cached window was current just before them. */
  append(points: readonly AppendedPoint[]): void;
}

/** Series whose windows are kept (least recently used go first). */
const DEFAULT_CAPACITY = 20_000;

export function createWindowCache(store: Store, capacity = DEFAULT_CAPACITY): WindowCache {
  const entries = new Map<number, CachedWindow>();

  const get = (seriesId: number, version: number, size: number): CachedWindow | null => {
    const entry = entries.get(seriesId);
    if (!entry || entry.version !== version || entry.size !== size) return null;
    entries.delete(seriesId); // most recently used last
    entries.set(seriesId, entry);
    return entry;
  };
  const set = (window: CachedWindow): void => {
    entries.delete(window.seriesId);
    entries.set(window.seriesId, window);
    if (entries.size > capacity) entries.delete(entries.keys().next().value!);
  };
  const appendOne = (a: AppendedPoint): void => {
    const w = entries.get(a.seriesId);
    if (!w) return;
    const last = w.startedAts.at(-1);
    if (w.version !== a.version - 1 || (last !== undefined && a.startedAt < last)) {
      entries.delete(a.seriesId);
      return;
    }
    w.version = a.version;
    if (!a.point) return;
    w.points.push(a.point);
    w.runPks.push(a.runPk);
    w.startedAts.push(a.startedAt);
    if (w.points.length > w.size) {
      w.points.shift();
      w.runPks.shift();
      w.startedAts.shift();
      w.boundaries = w.boundaries.map((b) => b - 1).filter((b) => b >= 0);
      w.skip = new Set([...w.skip].map((i) => i - 1).filter((i) => i >= 0));
    }
  };

  return {
    async load(seriesIds, size) {
      // One query for every series' version: a cached window whose version matches is current.
      const versions = await store.series.versions(seriesIds);
      const missing: number[] = [];
      const out: Array<CachedWindow | null> = seriesIds.map((id, i) => {
        const version = versions[i];
        if (version === null || version === undefined) throw new DomainError('not-found', `no series ${id}`);
        const hit = get(id, version, size);
        if (!hit) missing.push(id);
        return hit;
      });
      if (missing.length) {
        const loaded = new Map<number, CachedWindow>();
        for (const [i, stored] of (await store.windows.load(missing, size)).entries()) {
          if (!stored) throw new DomainError('not-found', `no series ${missing[i]}`);
          const window = fromStored(stored, size);
          set(window);
          loaded.set(window.seriesId, window);
        }
        for (let i = 0; i < out.length; i++) out[i] ??= loaded.get(seriesIds[i]!)!;
      }
      return out as CachedWindow[];
    },
    append(points) {
      for (const a of points) appendOne(a);
    },
  };
}

/** A stored window with its changes as indices: boundaries (found) and skips (ignored). */
function fromStored(stored: StoredWindow, size: number): CachedWindow {
  const index = new Map(stored.runPks.map((pk, i) => [pk, i]));
  const boundaries: number[] = [];
  const skip = new Set<number>();
  for (const c of stored.changes) {
    const i = index.get(c.runPk);
    if (i === undefined) continue;
    if (c.status === 'ignored') skip.add(i);
    else boundaries.push(i);
  }
  boundaries.sort((a, b) => a - b);
  return {
    seriesId: stored.seriesId,
    version: stored.version,
    size,
    points: stored.points,
    runPks: stored.runPks,
    startedAts: stored.startedAts,
    boundaries,
    skip,
  };
}
