/**
 * What the regression detector reads of a series. The detector and its
 * cache of windows sit above the store (server/services/detection.ts).
 *
 * @example
 * const [window] = await store.windows.load([seriesId], 80);
 */
import type { StoredWindow } from './types.ts';

export interface WindowStore {
  /**
   * For each series (in the order given; null: no such series), one snapshot of: its
   * version, the newest `size` ok results with a detector point that started at or after
   * the series' baseline (oldest first, by start then run key), and every change stored
   * for the series.
   */
  load(seriesIds: readonly number[], size: number): Promise<Array<StoredWindow | null>>;
}
