/** Calls and locks' data: the machine, its runs and the run shown (the named one, else the newest with calls or locks). */
import type { Api } from '../../api.ts';
import { pickRun, resolveMachine } from '../shared/load.ts';
import type { ViewState } from '../types.ts';
import { type CallsData, hasCallsOrLocks } from './model.ts';

export async function loadCalls(api: Api, state: ViewState): Promise<CallsData> {
  const machines = await api.machines();
  const machine = await resolveMachine(api, state.params, machines);
  if (!machine) return { machines, machine, runs: [], run: null };
  const runs = await api.runs({ machine: machine.id });
  const info = await pickRun(state.params, runs, async (r) => hasCallsOrLocks(await api.run(r.id)));
  return { machines, machine, runs, run: info ? await api.run(info.id) : null };
}
