/** Locks' data: the machine, its runs, the run shown (the named one, else the newest with the locks suite) and its lock costs. */

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
  // Bootstrapped by the server, once per run (the page used to fetch every sample and compute them).
  const costs = run ? await api.locks(run.id) : [];
  return { machines, machine, runs, run, costs };
}
