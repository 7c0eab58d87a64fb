/** Compare's data: the machine, its runs, and the server's comparison of what the URL asks for. */
import type { Api } from '../../api.ts';
import { resolveMachine } from '../shared/load.ts';
import type { ViewState } from '../types.ts';
import { type CompareData, chooseComparison } from './model.ts';

export async function loadCompare(api: Api, state: ViewState): Promise<CompareData> {
  const machines = await api.machines();
  const machine = await resolveMachine(api, state.params, machines);
  if (!machine) return { machines, machine, runs: [], comparison: null };
  const runs = await api.runs({ machine: machine.id });
  const choice = chooseComparison(runs, state.params);
  let comparison = null;
  if (choice?.by === 'modes' && choice.other)
    comparison = await api.compareModes(choice.run.id, choice.base.id, choice.other.id);
  if (choice?.by === 'runs' && choice.against && choice.mode)
    comparison = await api.compareRuns(choice.against.id, choice.run.id, choice.mode.id);
  return { machines, machine, runs, comparison };
}

/** The run the compare view sets against a run by default in a static export: the one before it, else the one after. */
export function defaultAgainst<T>(runs: readonly T[], index: number): T | undefined {
  return runs[index + 1] ?? runs[index - 1];
}
