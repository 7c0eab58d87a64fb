/**
 * Compare: two modes of one run or one mode in two runs, as a sortable
 * table with the geometric mean and a chart of the ratios. See model.ts for
 * its URL state.
 */
import { defineView } from '../types.ts';
import { defaultAgainst, loadCompare } from './load.ts';
import { compareModel } from './model.ts';

export const compare = defineView({
  id: 'compare',
  title: 'Compare',
  nav: 'Compare',
  load: loadCompare,
  model: compareModel,
  exportData: {
    // Every pair of a run's modes, and each mode of a run against the run before it.
    async machine({ api, runs, each }) {
      await each(runs, 4, async (run) => {
        for (const base of run.modes)
          for (const other of run.modes) if (base.id !== other.id) await api.compareModes(run.id, base.id, other.id);
      });
      await each(
        runs.map((run, i) => ({ run, against: defaultAgainst(runs, i) })),
        4,
        async ({ run, against }) => {
          if (!against) return;
          for (const mode of run.modes)
            if (against.modes.some((m) => m.id === mode.id)) await api.compareRuns(against.id, run.id, mode.id);
        },
      );
    },
  },
});
