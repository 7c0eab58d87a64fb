/**
 * History's data: the machines, the machine shown (for a linked case
 * without `machine=`, the machine with the longest history of that case),
 * its series, and the histories of the series the page draws.
 *
 * @example const data = await loadHistory(api, state);
 */
import type { Api, MachineInfo, SeriesInfo } from '../../api.ts';
import { pickMachine } from '../shared/model.ts';
import type { ViewState } from '../types.ts';
import { caseLength, chooseCase, type HistoryData } from './model.ts';

/**
 * The machine a history is about: the one named by `machine=`; else, for a
 * linked case (`case=`), the machine with the longest history of that case;
 * else the one seen last. Gives the machine's series when it had to read them.
 */
async function historyMachine(
  api: Api,
  params: URLSearchParams,
  machines: readonly MachineInfo[],
): Promise<{ machine: MachineInfo | undefined; series: SeriesInfo[] | null }> {
  const named = machines.find((m) => m.id === Number(params.get('machine')));
  const wantedCase = params.get('case');
  if (named || !wantedCase || machines.length < 2)
    return { machine: named ?? pickMachine(params, machines), series: null };
  const all = await Promise.all(
    machines.map(async (machine) => ({ machine, series: await api.series({ machine: machine.id }) })),
  );
  const best = all.reduce((a, b) => (caseLength(b.series, wantedCase) > caseLength(a.series, wantedCase) ? b : a));
  return caseLength(best.series, wantedCase) > 0 ? best : { machine: pickMachine(params, machines), series: null };
}

export async function loadHistory(api: Api, state: ViewState): Promise<HistoryData> {
  const machines = await api.machines();
  const { machine, series: found } = await historyMachine(api, state.params, machines);
  if (!machine) return { machines, machine, series: [], histories: [] };
  const series = found ?? (await api.series({ machine: machine.id }));
  const chosen = chooseCase(series, state.params)?.chosen ?? [];
  const histories = await Promise.all(chosen.map((s) => api.history(s.id)));
  return { machines, machine, series, histories };
}
