/**
 * Changes the detector found. What acknowledging means for a series (its
 * baseline moves to the change) is the regression service's; the store
 * applies the patch it is given in one step.
 *
 * @example
 * const id = await store.regressions.insert(change, Date.now()); // null: stored already
 */
import type { NewChange, Regression, RegressionFilter, RegressionPatch } from './types.ts';

export interface RegressionStore {
  /** Newest first (by the change's start, then id); default limit 500. */
  list(filter: RegressionFilter): Promise<Regression[]>;
  /** How many `list` would give without a limit (the filter's `limit` is ignored). */
  count(filter: RegressionFilter): Promise<number>;
  get(id: number): Promise<Regression | null>;
  /**
   * Stores a change with status `new` (its `startedAt` is the run's start) and bumps the
   * series' version; null, writing nothing, when a change at this series and run is stored
   * already (in any process).
   */
  insert(change: NewChange, now: number): Promise<number | null>;
  /**
   * One atomic step: sets the given fields and `updatedAt`, bumps the series' version, and
   * with `baselineFrom` raises the series' baseline to at least that time. False when there
   * is no such regression.
   */
  update(id: number, patch: RegressionPatch, now: number): Promise<boolean>;
}
