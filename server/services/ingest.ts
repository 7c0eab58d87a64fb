/**
 * Ingest over any store: the detector's point of each result is computed
 * here from the samples (median of samples minus the loop cost, and its
 * error), the run is stored in one atomic step, and a run id stored already
 * from another machine is a conflict.
 *
 * @example
 * const ingest = createIngestService(store, windows);
 * const { created } = await ingest.ingest(doc, { uploadedBy: null, now: Date.now() });
 */
import type { SeriesPoint } from '../detector/detector.ts';
import { pointFromSamples } from '../detector/point.ts';
import type { Store } from '../store/core/store.ts';
import type { RunDocument, RunInfo } from '../store/core/types.ts';
import { DomainError } from './errors.ts';
import { reportedLabels } from './machines.ts';
import type { WindowCache } from './windows.ts';

export interface IngestOutcome {
  /** False when the run id was stored already: nothing new was written. */
  created: boolean;
  run: RunInfo;
  /** Series that got a point (empty when nothing was created). */
  seriesIds: number[];
  /** Internal key of the run, for the detector's bookkeeping. */
  runPk: number;
}

export interface IngestService {
  /** `ctx.points`: the documents' points when the caller computed them already (`pointsOf`, in a pool thread). */
  ingest(
    doc: RunDocument,
    ctx: { uploadedBy: string | null; now: number; points?: ReadonlyArray<SeriesPoint | null> },
  ): Promise<IngestOutcome>;
}

/** The detector's point of each result: from its samples when it is ok, else none. */
export function pointsOf(doc: RunDocument): Array<SeriesPoint | null> {
  return doc.results.map((r) => (r.status === 'ok' ? pointFromSamples(r.samples, r.loopCostNs) : null));
}

export function createIngestService(store: Store, windows: WindowCache): IngestService {
  return {
    async ingest(doc, ctx) {
      const points = ctx.points ?? pointsOf(doc);
      const outcome = await store.runs.insert(doc, {
        uploadedBy: ctx.uploadedBy,
        now: ctx.now,
        points,
        addLabels: reportedLabels(doc.machine),
      });
      if (!outcome.created) {
        if (outcome.fingerprint !== doc.machine.fingerprint) {
          throw new DomainError('conflict', `run ${doc.id} is stored already, from another machine`);
        }
        const [run] = await store.runs.infos([doc.id]);
        return { created: false, runPk: outcome.runPk, seriesIds: [], run: run! };
      }
      // Committed: the detector's cached windows can take the new points.
      windows.append(outcome.appended);
      return {
        created: true,
        runPk: outcome.runPk,
        seriesIds: outcome.seriesIds,
        // What was just stored, without reading it back.
        run: {
          id: doc.id,
          machineId: outcome.machineId,
          hostname: doc.machine.hostname,
          startedAt: Date.parse(doc.startedAt),
          finishedAt: Date.parse(doc.finishedAt),
          profile: doc.profile,
          gilbenchVersion: doc.gilbenchVersion,
          jobId: doc.jobId,
          modes: doc.modes,
          resultCount: doc.results.length,
          warnedResults: doc.results.filter((r) => r.warnings.length > 0).length,
          unstableResults: doc.results.filter((r) => r.warnings.some((w) => w.code === 'unstable')).length,
          warnings: doc.warnings,
          receivedAt: ctx.now,
        },
      };
    },
  };
}
