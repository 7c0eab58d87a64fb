/**
 * The work a pool thread does: compare two sides (server/compare.ts) and
 * return the answer as JSON text, so the event loop neither runs the
 * bootstrap nor serialises its result.
 */
import type { RunDocument } from '../../harness/schema.ts';
import { lockCosts } from '../../harness/stats/lock-costs.ts';
import { formatRunComparisonMarkdown } from '../../harness/stats/report.ts';
import { compareRun } from '../../harness/stats/run-comparison.ts';
import { scalingCurves } from '../../harness/stats/scaling.ts';
import { asResult, type ComparisonSide, compareSides, headlinesOf } from '../compare.ts';
import type { RunDetail } from '../store/core/types.ts';

export interface CompareTask {
  base: ComparisonSide;
  other: ComparisonSide;
}

/** A run's Markdown summary: what `gilbench compare FILE --format markdown` prints. */
export interface SummaryTask {
  doc: RunDocument;
  /** The base mode's id. */
  baseMode: string;
}

/** A run's headline numbers (its trend point): the run's modes and its results with samples. */
export interface HeadlinesTask {
  headlines: Pick<RunDetail, 'id' | 'modes' | 'results'>;
}

/**
 * A run's scaling curves (`GET /runs/:id/scaling`): a bootstrap per thread count and mode,
 * about a second for a 507-result default-profile run here, so never on the event loop.
 */
export interface ScalingTask {
  scaling: Pick<RunDetail, 'id' | 'results'>;
}

/** A run's lock costs (`GET /runs/:id/locks`): a bootstrap per locked read, so not on the loop (nor in the page). */
export interface LocksTask {
  locks: Pick<RunDetail, 'id' | 'results'>;
}

export type PoolTask = CompareTask | SummaryTask | HeadlinesTask | ScalingTask | LocksTask;

/** Piscina calls the default export with each task. */
export default function compareTask(task: PoolTask): string {
  if ('headlines' in task) return JSON.stringify(headlinesOf(task.headlines));
  if ('scaling' in task) {
    const { id, results } = task.scaling;
    return JSON.stringify({ runId: id, curves: scalingCurves({ results: results.map(asResult) }) });
  }
  if ('locks' in task) return JSON.stringify({ runId: task.locks.id, costs: lockCosts(task.locks.results) });
  if ('doc' in task) return formatRunComparisonMarkdown(compareRun(task.doc, { base: task.baseMode }));
  return JSON.stringify(compareSides(task.base, task.other));
}
