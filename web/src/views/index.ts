/**
 * The registry of views: routing (`#/<id>`), the nav bar, the page titles
 * and `gilbench export-site` (which API answers a static site holds) all
 * read this list. A new view is a folder beside these (index.ts, load.ts,
 * model.ts with its test, render.ts), one line here and its render step in
 * renderers.ts (the browser's half; a missing one fails the type-check).
 *
 * @example
 * const view = viewById('history'); // the history view's registry entry
 * parseRoute('#/nope').view === 'overview'
 */
import { parseHash, type Route } from '../route.ts';
import { calls } from './calls/index.ts';
import { compare } from './compare/index.ts';
import { history } from './history/index.ts';
import { locks } from './locks/index.ts';
import { machines } from './machines/index.ts';
import { overview } from './overview/index.ts';
import { regressions } from './regressions/index.ts';
import { scaling } from './scaling/index.ts';
import { trends } from './trends/index.ts';
import type { RegisteredView } from './types.ts';

/** Every view, in nav bar order; the first is the home page. */
export const VIEWS = [overview, compare, scaling, calls, locks, history, trends, regressions, machines] as const;

/** A registered view's id. */
export type ViewId = (typeof VIEWS)[number]['id'];

/** The view a route opens (the first, the overview, for anything unknown). */
export function viewById(id: string): RegisteredView<ViewId> {
  return VIEWS.find((v) => v.id === id) ?? VIEWS[0];
}

/** Reads a hash like `#/view?x=1`; anything unknown opens the overview. */
export function parseRoute(hash: string): Route {
  return parseHash(
    hash,
    VIEWS.map((v) => v.id),
  );
}
