/**
 * Regressions: the detector's changes with filters (status, kind, machine);
 * an admin sets the status and adds a note; each row links to the history
 * at the change. See model.ts for its URL state.
 */
import { defineView } from '../types.ts';
import { loadRegressions } from './load.ts';
import { regressionsModel } from './model.ts';

export const regressions = defineView({
  id: 'regressions',
  title: 'Regressions',
  nav: 'Regressions',
  load: loadRegressions,
  model: regressionsModel,
  exportData: {
    site: (api) => api.regressions({}),
    machine: ({ api, machine }) => api.regressions({ machine: machine.id }),
  },
});
