/**
 * Machines and runs: each machine's metadata and when it was last seen, its
 * runs, its jobs with their status, and the live progress of a running job.
 * With `run=` it shows one run in detail. See model.ts for its URL state.
 */
import { defineView } from '../types.ts';
import { loadMachines } from './load.ts';
import { machinesModel } from './model.ts';

export const machines = defineView({
  id: 'machines',
  title: 'Machines and runs',
  nav: 'Machines & runs',
  load: loadMachines,
  model: machinesModel,
  exportData: {
    async machine({ api, runs, each }) {
      await each(runs, 4, (run) => api.run(run.id));
    },
  },
});
