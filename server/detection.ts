/**
 * Runs the detector on the series an upload touched and stores what it
 * finds. The detector itself (detector/detector.ts) knows nothing of the
 * database; this is the glue.
 *
 * @example
 * const detection = createDetection({ repo, detector: createDetector() });
 * const found = await detection.afterIngest(outcome.seriesIds, outcome.runPk, Date.now());
 */
import type { Detector } from './detector/detector.ts';
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
}): Detection {
  // What the detector reads of a series: enough runs for the noise plus the search.
  const windowSize = deps.detector.options.maxNoise + deps.detector.options.maxAfter;
  return {
    detector: deps.detector,
    async afterIngest(seriesIds, runPk, now) {
      const found: Regression[] = [];
      for (const window of await deps.repo.detectionWindows(seriesIds, windowSize)) {
        const change = deps.detector.detect(window.points, { boundaries: window.boundaries, skip: window.skip });
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
      return found;
    },
  };
}
