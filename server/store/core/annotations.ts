/**
 * Human notes pinned to a time and optionally a machine, series or run.
 * Checking that the references exist is the annotation service's.
 *
 * @example
 * const id = await store.annotations.create({ at, text: 'kernel upgrade', machineId: null, seriesId: null, runPk: null }, now);
 */
import type { Annotation, AnnotationFilter, AnnotationRecordInput } from './types.ts';

export interface AnnotationStore {
  /** Newest first (by time, then id); default limit 1000. */
  list(filter: AnnotationFilter): Promise<Annotation[]>;
  /**
   * Notes with `from <= at <= to` that belong to this series, or to no series and to
   * its machine or to no machine; oldest first.
   */
  forSeries(series: { id: number; machineId: number }, from: number, to: number): Promise<Annotation[]>;
  get(id: number): Promise<Annotation | null>;
  /** Returns the new note's id. */
  create(input: AnnotationRecordInput, now: number): Promise<number>;
  /** Sets the given fields and `updatedAt`; false when there is no such note. */
  update(id: number, patch: Partial<AnnotationRecordInput>, now: number): Promise<boolean>;
  delete(id: number): Promise<boolean>;
}
