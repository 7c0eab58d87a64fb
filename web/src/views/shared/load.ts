/**
 * Loading helpers every view shares: which machine and run a view is about
 * when the URL does not say, found by asking the API as little as possible.
 *
 * @example const hit = await latestRunWith(runs, async (r) => ((await api.scaling(r.id)).length ? r : null));
 */
import type { Api, MachineInfo, RunInfo } from '../../api.ts';
import { pickMachine } from './model.ts';

/**
 * The machine a view is about: the one named by `machine=`; else, when the
 * URL names a run (`run=`), the machine that made it (a shared link to a run
 * needs no machine); else the one seen last.
 */
export async function resolveMachine(
  api: Api,
  params: URLSearchParams,
  machines: readonly MachineInfo[],
): Promise<MachineInfo | undefined> {
  const named = machines.find((m) => m.id === Number(params.get('machine')));
  if (named) return named;
  const runId = params.get('run');
  if (runId) {
    const run = await api.run(runId).catch(() => null);
    const owner = machines.find((m) => m.id === run?.machineId);
    if (owner) return owner;
  }
  return pickMachine(params, machines);
}

/** How many of a machine's newest runs a view looks through for one that measured what it draws. */
export const RUNS_SEARCHED = 12;

/**
 * The newest run (of `runs`, newest first) for which `probe` finds something,
 * with what it found; looks at the first `RUNS_SEARCHED` runs, one at a time
 * (usually the newest run answers, so only one is read).
 * @example const hit = await latestRunWith(runs, async (r) => ((await api.scaling(r.id)).length ? r : null));
 */
export async function latestRunWith<T>(
  runs: readonly RunInfo[],
  probe: (run: RunInfo) => Promise<T | null>,
): Promise<{ run: RunInfo; found: T } | null> {
  for (const run of runs.slice(0, RUNS_SEARCHED)) {
    const found = await probe(run).catch(() => null);
    if (found !== null) return { run, found };
  }
  return null;
}

/** The run named by `run=` if it is one of `runs`; else the newest run that has what the view draws. */
export async function pickRun(
  params: URLSearchParams,
  runs: readonly RunInfo[],
  has: (run: RunInfo) => Promise<boolean>,
): Promise<RunInfo | undefined> {
  const named = runs.find((r) => r.id === params.get('run'));
  if (named) return named;
  const hit = await latestRunWith(runs, async (r) => ((await has(r)) ? r : null));
  return hit?.run ?? runs[0];
}
