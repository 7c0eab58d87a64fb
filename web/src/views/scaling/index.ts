/**
 * Scaling: speedup against threads per workload, one line per mode, and an
 * efficiency table. See model.ts for its URL state.
 */
import { defineView } from '../types.ts';
import { loadScaling } from './load.ts';
import { scalingModel } from './model.ts';

export const scaling = defineView({
  id: 'scaling',
  title: 'Scaling',
  nav: 'Scaling',
  load: loadScaling,
  model: scalingModel,
  exportData: {
    async machine({ api, runs, each }) {
      await each(runs, 4, async (run) => {
        if ((await api.scaling(run.id)).length > 0) await api.runWithSamples(run.id);
      });
    },
  },
});
