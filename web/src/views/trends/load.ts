/** Trends' data: the machine (the named one, else the one seen last) and its newest runs with their headlines. */
import type { Api } from '../../api.ts';
import { resolveMachine } from '../shared/load.ts';
import type { ViewState } from '../types.ts';
import { type TrendsData, trendLimit } from './model.ts';

export async function loadTrends(api: Api, state: ViewState): Promise<TrendsData> {
  const machines = await api.machines();
  const machine = await resolveMachine(api, state.params, machines);
  const limit = trendLimit(state.params);
  // A machine without runs needs no trend request.
  const runs = machine && machine.runCount > 0 ? await api.trends(machine.id, limit) : [];
  return { machines, machine, limit, runs };
}
