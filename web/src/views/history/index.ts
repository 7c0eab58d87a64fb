/**
 * History: one case over time on one machine, one line per mode, with the
 * detector's changes and the notes marked; zoom and pan keep the range in
 * the URL. See model.ts for its URL state.
 */
import { defineView } from '../types.ts';
import { loadHistory } from './load.ts';
import { historyModel } from './model.ts';

export const history = defineView({
  id: 'history',
  title: 'History',
  nav: 'History',
  load: loadHistory,
  model: historyModel,
  exportData: {
    async machine({ api, machine, series, each }) {
      await api.annotations({ machine: machine.id });
      await each(series, 8, (s) => api.history(s.id));
    },
  },
});
