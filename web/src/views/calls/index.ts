/**
 * Calls and locks: ns per call against arity, and read cost against threads
 * with a lock and without, per mode. See model.ts for its URL state.
 */
import { defineView } from '../types.ts';
import { loadCalls } from './load.ts';
import { callsModel } from './model.ts';

export const calls = defineView({
  id: 'calls',
  title: 'Calls and locks',
  nav: 'Calls & locks',
  load: loadCalls,
  model: callsModel,
  exportData: {
    async machine({ api, runs, each }) {
      await each(runs, 4, (run) => api.run(run.id));
    },
  },
});
