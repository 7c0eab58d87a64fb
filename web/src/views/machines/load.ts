/** Machines and runs' data: the machines, the one shown, its runs, its jobs (for operators) and the run named by `run=`. */
import type { Api, Job } from '../../api.ts';
import { resolveMachine } from '../shared/load.ts';
import type { ViewState } from '../types.ts';
import { type MachinesData, showsJobs } from './model.ts';

export async function loadMachines(api: Api, state: ViewState): Promise<MachinesData> {
  const machines = await api.machines();
  const none = { machines, machine: undefined, runs: [], jobs: [], run: null };
  if (machines.length === 0) return none;
  const machine = await resolveMachine(api, state.params, machines);
  if (!machine) return none;
  const runId = state.params.get('run');
  // Independent answers, fetched at once.
  const [runs, jobs, run] = await Promise.all([
    api.runs({ machine: machine.id }),
    showsJobs(state) ? api.jobs({ machine: machine.id }).catch(() => [] as Job[]) : Promise.resolve([] as Job[]),
    runId ? api.run(runId) : Promise.resolve(null),
  ]);
  return { machines, machine, runs, jobs, run };
}
