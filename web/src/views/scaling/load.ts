/** Scaling's data: the machine, its runs, the run shown (the named one, else the newest with threads) and its curves. */

import { type ThroughputCurve, throughputAgainstGil } from '../../../../harness/stats/throughput.ts';
import { hasScaling } from '../../analysis.ts';
import type { Api } from '../../api.ts';
import { pickRun, resolveMachine } from '../shared/load.ts';
import type { ViewState } from '../types.ts';
import { openSections, type ScalingData, sectionKey } from './model.ts';

export async function loadScaling(api: Api, state: ViewState): Promise<ScalingData> {
  const machines = await api.machines();
  const machine = await resolveMachine(api, state.params, machines);
  if (!machine) return { machines, machine, runs: [], run: undefined, curves: [], throughput: [] };
  const runs = await api.runs({ machine: machine.id });
  const run = await pickRun(state.params, runs, async (r) => hasScaling(await api.scaling(r.id)));
  const curves = run ? await api.scaling(run.id) : [];
  // Against gil on one thread needs the raw samples (the server's curves are self-relative only):
  // bootstrapped for the open sections only, the cost that made the page slow when done for all.
  const open = openSections(state.params, curves);
  const throughput: ThroughputCurve[] =
    run && open.size > 0
      ? throughputAgainstGil((await api.runWithSamples(run.id)).results.filter((r) => open.has(sectionKey(r))))
      : [];
  return { machines, machine, runs, run, curves, throughput };
}
