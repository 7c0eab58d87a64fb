/** Locks' data: the machine, its runs, the run shown (the named one, else the newest with the locks suite) and its lock costs. */

import { lockCosts } from '../../../../harness/stats/lock-costs.ts';
import type { Api } from '../../api.ts';
import { pickRun, resolveMachine } from '../shared/load.ts';
import type { ViewState } from '../types.ts';
import type { LocksData } from './model.ts';

export async function loadLocks(api: Api, state: ViewState): Promise<LocksData> {
  const machines = await api.machines();
  const machine = await resolveMachine(api, state.params, machines);
  if (!machine) return { machines, machine, runs: [], run: null, costs: [] };
  const runs = await api.runs({ machine: machine.id });
  const run =
    (await pickRun(state.params, runs, async (r) => (await api.run(r.id)).results.some((x) => x.suite === 'locks'))) ??
    null;
  // The ratios' CIs need the raw samples.
  const costs = run ? lockCosts((await api.runWithSamples(run.id)).results) : [];
  return { machines, machine, runs, run, costs };
}
