/**
 * Runs and their results. A run is stored whole or not at all, once per run
 * id. The detector's point of each result is computed by the ingest service
 * (server/services/ingest.ts) and handed in: the store does no statistics.
 *
 * @example
 * const outcome = await store.runs.insert(doc, { uploadedBy: null, now, points, addLabels: doc.machine.labels ?? [] });
 */
import type { RunDetail, RunDocument, RunFilter, RunInfo, RunInsertInput, RunInsertOutcome, RunRef } from './types.ts';

export interface RunStore {
  /**
   * One atomic step, idempotent by `doc.id`. When no run has this id: upserts the machine
   * (`MachineStore.upsert` with `input.addLabels`), its runtimes and modes, the suites,
   * benchmarks and cases, adds one point to each result's series (count, latest start,
   * version + 1), stores the results with their samples exactly and `input.points`, and
   * answers `created: true`. When the id is stored already: writes nothing and answers
   * `created: false` with the fingerprint of the stored run's machine (whether that is
   * the same machine is the caller's to judge). Two calls with one new id at once store it once.
   * A failure part-way stores nothing.
   */
  insert(doc: RunDocument, input: RunInsertInput): Promise<RunInsertOutcome>;
  /** The run with its results (and their raw samples when asked), or null. */
  get(id: string, opts?: { samples?: boolean }): Promise<RunDetail | null>;
  /** The stored run as the document that was uploaded (equal to it, key for key), or null. */
  document(id: string): Promise<RunDocument | null>;
  /** Summaries of these runs, in the order given; unknown ids are left out. */
  infos(ids: readonly string[]): Promise<RunInfo[]>;
  /** Newest first (by start, then run key). */
  list(filter: RunFilter): Promise<RunInfo[]>;
  /** The run's keys, or null. */
  find(id: string): Promise<RunRef | null>;
  /** Run ids by internal key, in the order given (null for a key with no run). */
  idsOf(pks: readonly number[]): Promise<Array<string | null>>;
  /**
   * One atomic step: deletes the run, its results and what hangs on it (regressions at it,
   * annotations on it, answers about it: `AnswerStore`), recounts each touched series and bumps its version. False when
   * there is no such run.
   */
  delete(id: string): Promise<boolean>;
}
