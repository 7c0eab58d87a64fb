/**
 * The detector run over the series an upload touched, in an upload thread:
 * the windows in (points, boundaries, ignored points), one change or null per
 * window out, so the event loop does not run the search for 60 series after
 * each upload. The detector is made here from the app's options.
 *
 * @example
 * detectChanges({ options: createDetector().options, windows: [{ points, boundaries: [], skip: new Set() }] })
 */
import { createDetector, type DetectedChange, type DetectorOptions, type SeriesPoint } from '../detector/detector.ts';

export interface DetectTask {
  options: DetectorOptions;
  windows: Array<{ points: SeriesPoint[]; boundaries: number[]; skip: Set<number> }>;
}

/** A pool task: the strongest new change of each window, or null. */
export function detectChanges(task: DetectTask): Array<DetectedChange | null> {
  const detector = createDetector(task.options);
  return task.windows.map((w) => detector.detect(w.points, { boundaries: w.boundaries, skip: w.skip }));
}
