/**
 * Trends: one machine's headline numbers run by run, with the runtime
 * version marked where it changed. See model.ts for its URL state.
 */
import { defineView } from '../types.ts';
import { loadTrends } from './load.ts';
import { TREND_LIMITS, trendsModel } from './model.ts';

export const trends = defineView({
  id: 'trends',
  title: 'Trends',
  nav: 'Trends',
  load: loadTrends,
  model: trendsModel,
  exportData: {
    // Every limit the picker offers, so each works on a static site.
    async machine({ api, machine }) {
      if (machine.runCount > 0) for (const limit of TREND_LIMITS) await api.trends(machine.id, limit);
    },
  },
});
