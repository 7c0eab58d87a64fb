/**
 * The work a pool thread does: compare two sides (server/compare.ts) and
 * return the answer as JSON text, so the event loop neither runs the
 * bootstrap nor serialises its result.
 */
import { type ComparisonSide, compareSides } from '../compare.ts';

export interface CompareTask {
  base: ComparisonSide;
  other: ComparisonSide;
}

/** Piscina calls the default export with each task. */
export default function compareTask(task: CompareTask): string {
  return JSON.stringify(compareSides(task.base, task.other));
}
