/**
 * Overview: per machine, the headlines of its newest runs, each linking to
 * its detail. See model.ts for how each headline is found.
 */
import { defineView } from '../types.ts';
import { loadOverview } from './load.ts';
import { overviewModel } from './model.ts';

// Its answers (runs, run details, scaling curves, mode comparisons) are among those the other views export.
export const overview = defineView({
  id: 'overview',
  title: 'Overview',
  nav: 'Overview',
  load: loadOverview,
  model: overviewModel,
});
