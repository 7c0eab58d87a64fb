/**
 * The browser's half of the view registry: each view's render step, imported
 * lazily (esbuild inlines it into the one bundle). Kept apart from index.ts so
 * Node code reads the registry without the DOM; keyed by the registry's ids,
 * so a view without its render step fails the type-check.
 *
 * @example const content = await DRAW[viewById('history').id](ctx);
 */

import { type Child, h } from '../dom.ts';
import { calls } from './calls/index.ts';
import { compare } from './compare/index.ts';
import { modelCsv, modelJson } from './downloads.ts';
import { history } from './history/index.ts';
import type { ViewId } from './index.ts';
import { locks } from './locks/index.ts';
import { machines } from './machines/index.ts';
import { overview } from './overview/index.ts';
import { regressions } from './regressions/index.ts';
import { scaling } from './scaling/index.ts';
import { trends } from './trends/index.ts';
import type { ViewContext, ViewDefinition } from './types.ts';

/** A view's render step: its model, drawn as DOM and charts. */
export type ViewRender<M> = (model: M, ctx: ViewContext) => Child;

/** Draws a view: loads, models and renders it (the browser's half of a registry entry, see renderers.ts). */
export type DrawView = (ctx: ViewContext) => Promise<Child>;

/**
 * Pairs a registry entry with its render step, whose model type must be the entry's.
 * @example drawWith(history, () => import('./history/render.ts').then((m) => m.renderHistory))
 */
export function drawWith<Id extends string, D, M>(
  view: { definition: ViewDefinition<Id, D, M> },
  render: () => Promise<ViewRender<M>>,
): DrawView {
  const def = view.definition;
  return async (ctx) => {
    const [data, draw] = await Promise.all([def.load(ctx.api, ctx.state), render()]);
    const model = def.model(data, ctx.state);
    return [draw(model, ctx), downloads(def.id, model)];
  };
}

/** Links to the view's model as JSON and CSV (made when clicked: most readers never ask). */
function downloads(id: string, model: unknown): HTMLElement {
  const file = (kind: 'json' | 'csv') => {
    const a = h(
      'a',
      { attrs: { href: '#', download: `gilbench-${id}.${kind}` }, data: { download: kind } },
      kind.toUpperCase(),
    );
    a.addEventListener('click', () => {
      const text = kind === 'json' ? modelJson(model) : modelCsv(model);
      const type = kind === 'json' ? 'application/json' : 'text/csv';
      a.href = URL.createObjectURL(new Blob([text], { type }));
      setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
    });
    return a;
  };
  return h(
    'p',
    { className: 'downloads muted', data: { downloads: id } },
    'This view’s data: ',
    file('json'),
    ' · ',
    file('csv'),
  );
}

export const DRAW: Record<ViewId, DrawView> = {
  overview: drawWith(overview, () => import('./overview/render.ts').then((m) => m.renderOverview)),
  compare: drawWith(compare, () => import('./compare/render.ts').then((m) => m.renderCompare)),
  scaling: drawWith(scaling, () => import('./scaling/render.ts').then((m) => m.renderScaling)),
  calls: drawWith(calls, () => import('./calls/render.ts').then((m) => m.renderCalls)),
  locks: drawWith(locks, () => import('./locks/render.ts').then((m) => m.renderLocks)),
  history: drawWith(history, () => import('./history/render.ts').then((m) => m.renderHistory)),
  trends: drawWith(trends, () => import('./trends/render.ts').then((m) => m.renderTrends)),
  regressions: drawWith(regressions, () => import('./regressions/render.ts').then((m) => m.renderRegressions)),
  machines: drawWith(machines, () => import('./machines/render.ts').then((m) => m.renderMachines)),
};
