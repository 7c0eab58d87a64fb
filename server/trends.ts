/**
 * A machine's trends: each of its newest runs with its headline numbers
 * (harness/stats/headlines.ts, what the overview shows for that run). A
 * run's headlines are computed once, in a pool thread, and kept with the
 * other answers about runs (they never change): by the answer warmer after
 * its upload (routes.ts `warmRunAnswers`), or by the first trend that needs them.
 *
 * @example
 * const trend = await machineTrends(deps, 1, 200); // { machineId: 1, runs: [{ runId, startedAt, headlines }, …] }
 */
import pLimit from 'p-limit';
import type { RunHeadlines, TrendRun, TrendsResponse } from './contract/index.ts';
import type { AppDeps } from './routes.ts';
import { DomainError } from './services/index.ts';
import type { RunInfo } from './store/core/types.ts';

/** Runs whose headlines one request computes at a time (the pool's queue is shared by every request). */
export const TREND_CONCURRENCY = 2;

/** A deleted run (between listing and reading) is left out rather than kept as empty. */
class RunGone extends Error {}

/** A run's headlines as JSON text, computed once in a pool thread and kept with the answers about runs. */
export function headlinesText(deps: AppDeps, runId: string): Promise<string> {
  return deps.answers
    .get(`headlines|${runId}`, [runId], async () => {
      const detail = await deps.repo.getRun(runId, { samples: true });
      if (!detail) throw new RunGone(runId);
      return deps.compute.headlines(detail);
    })
    .then((answer) => answer.text);
}

async function trendRun(deps: AppDeps, run: RunInfo): Promise<TrendRun | null> {
  let text: string;
  try {
    text = await headlinesText(deps, run.id);
  } catch (err) {
    if (err instanceof RunGone) return null;
    throw err;
  }
  return {
    runId: run.id,
    startedAt: run.startedAt,
    profile: run.profile,
    resultCount: run.resultCount,
    warnedResults: run.warnedResults,
    unstableResults: run.unstableResults,
    modes: run.modes.map((m) => ({
      id: m.id,
      mode: m.mode,
      version: m.runtime.version,
      buildKind: m.runtime.buildKind ?? 'fast',
      freeThreaded: m.runtime.freeThreaded,
    })),
    headlines: JSON.parse(text) as RunHeadlines,
  };
}

/** The newest `limit` runs of a machine with their headlines, newest first; 404 for an unknown machine. */
export async function machineTrends(deps: AppDeps, machineId: number, limit: number): Promise<TrendsResponse> {
  const machine = await deps.repo.getMachine(machineId);
  if (!machine) throw new DomainError('not-found', `no machine ${machineId}`);
  const runs = await deps.repo.listRuns({ machine: machineId, limit });
  const one = pLimit(TREND_CONCURRENCY);
  const points = await Promise.all(runs.map((run) => one(() => trendRun(deps, run))));
  return { machineId, runs: points.filter((p): p is TrendRun => p !== null) };
}
