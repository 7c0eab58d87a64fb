/**
 * Runs the detector on the series an upload touched and stores what it
 * finds. The detector itself (detector/detector.ts) knows nothing of the
 * database; this is the glue.
 *
 * @example
 * const detection = createDetection({ repo, detector: createDetector() });
 * const found = await detection.afterIngest(outcome.seriesIds, outcome.runPk, Date.now());
 */
import type { DetectTask } from './compute/detect-task.ts';
import type { DetectedChange, Detector } from './detector/detector.ts';
import type { Services } from './services/index.ts';
import type { Regression } from './store/core/types.ts';

export interface Detection {
  readonly detector: Detector;
  /** Checks each series for a new change; returns the changes stored. */
  afterIngest(seriesIds: readonly number[], runPk: number, now: number): Promise<Regression[]>;
}

export function createDetection(deps: {
  repo: Services;
  detector: Detector;
  onChange?: (regression: Regression) => void;
  /** Called once per upload with all the changes it brought (not called for none). */
  onChanges?: (regressions: Regression[]) => void;
  /** Runs the detector over the windows (the app: in an upload thread); here, on the caller's thread by default. */
  runDetector?: (task: DetectTask) => Promise<Array<DetectedChange | null>>;
}): Detection {
  // What the detector reads of a series: enough runs for the noise plus the search.
  const windowSize = deps.detector.options.maxNoise + deps.detector.options.maxAfter;
  return {
    detector: deps.detector,
    async afterIngest(seriesIds, runPk, now) {
      const found: Regression[] = [];
      const windows = await deps.repo.detectionWindows(seriesIds, windowSize);
      const changes = deps.runDetector
        ? await deps.runDetector({
            options: { ...deps.detector.options },
            windows: windows.map((w) => ({ points: w.points, boundaries: w.boundaries, skip: w.skip })),
          })
        : windows.map((w) => deps.detector.detect(w.points, { boundaries: w.boundaries, skip: w.skip }));
      for (const [i, window] of windows.entries()) {
        const change = changes[i];
        if (!change) continue;
        const stored = await deps.repo.recordChange(window, change, {
          method: deps.detector.method,
          detectedRunPk: runPk,
          now,
        });
        if (stored) {
          found.push(stored);
          deps.onChange?.(stored);
        }
      }
      if (found.length) deps.onChanges?.(found);
      return found;
    },
  };
}
