/** Regressions' data: the machines (for the filter) and the changes of the chosen machine, or all. */
import type { Api } from '../../api.ts';
import type { ViewState } from '../types.ts';
import { machineQuery, type RegressionsData } from './model.ts';

export async function loadRegressions(api: Api, state: ViewState): Promise<RegressionsData> {
  const machines = await api.machines();
  if (machines.length === 0) return { machines, regressions: [] };
  return { machines, regressions: await api.regressions({ machine: machineQuery(state.params) }) };
}
