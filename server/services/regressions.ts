/**
 * Regressions over any store: storing what the detector found, and changing
 * a change's status. Acknowledging a change makes its new level the series'
 * normal: the series is re-baselined at the change, so the detector reads
 * points from there on.
 *
 * @example
 * const regressions = createRegressionService(store);
 * await regressions.update(id, { status: 'acknowledged' }, Date.now());
 */
import type { DetectedChange } from '../detector/detector.ts';
import type { Store } from '../store/core/store.ts';
import type { Regression, RegressionFilter, RegressionStatus } from '../store/core/types.ts';
import { DomainError } from './errors.ts';
import type { DetectionWindow } from './windows.ts';

export interface RegressionService {
  list(filter: RegressionFilter): Promise<Regression[]>;
  get(id: number): Promise<Regression | null>;
  /** Acknowledging re-baselines the series at the change. */
  update(id: number, patch: { status?: RegressionStatus; note?: string }, now: number): Promise<Regression>;
  /** Stores a change the detector found in `window`; null when that change is stored already. */
  record(
    window: DetectionWindow,
    change: DetectedChange,
    ctx: { method: string; detectedRunPk: number; now: number },
  ): Promise<Regression | null>;
}

export function createRegressionService(store: Store): RegressionService {
  return {
    list: (filter) => store.regressions.list(filter),
    get: (id) => store.regressions.get(id),

    async update(id, patch, now) {
      const before = (await store.regressions.get(id)) ?? notFound(`no regression ${id}`);
      // Acknowledged: the new level is the series' normal from now on.
      const rebase = patch.status === 'acknowledged' && before.status !== 'acknowledged';
      const done = await store.regressions.update(
        id,
        { status: patch.status, note: patch.note, ...(rebase ? { baselineFrom: before.startedAt } : {}) },
        now,
      );
      if (!done) notFound(`no regression ${id}`);
      return (await store.regressions.get(id)) ?? notFound(`no regression ${id}`);
    },

    async record(window, change, ctx) {
      const runPk = window.runPks[change.index]!;
      const id = await store.regressions.insert(
        {
          seriesId: window.seriesId,
          runPk,
          previousRunPk: change.index > 0 ? window.runPks[change.index - 1]! : null,
          detectedRunPk: ctx.detectedRunPk,
          kind: change.kind,
          change: change.change,
          changeCiLow: change.ciLow,
          changeCiHigh: change.ciHigh,
          confidence: change.confidence,
          score: change.score,
          beforeNs: change.before,
          afterNs: change.after,
          noise: change.noise,
          beforeCount: change.beforeCount,
          afterCount: change.afterCount,
          method: ctx.method,
        },
        ctx.now,
      );
      return id === null ? null : store.regressions.get(id);
    },
  };
}

function notFound(message: string): never {
  throw new DomainError('not-found', message);
}
