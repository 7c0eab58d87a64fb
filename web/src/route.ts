/**
 * Routing: each view's state lives in the URL's hash as a path and a query
 * string, `#/compare?machine=1&run=…&base=gil&other=nogil`, so any view can be
 * linked and opened again, and the same URLs work on `gilbench server` and on
 * a static host (an exported site), where only `index.html` exists.
 *
 * Which views exist is the registry's (`views/index.ts`, whose `parseRoute`
 * reads a hash with them); this module only reads and writes hashes.
 *
 * @example
 * const route = parseHash('#/history?machine=2&case=3&modes=gil,nogil', ['overview', 'history']);
 * route.view === 'history'; route.params.get('machine') === '2'
 */

/** A view's id, as registered in `views/index.ts` (the registry). */
export type View = string;

export interface Route {
  view: View;
  params: URLSearchParams;
}

export type RouteParams = Record<string, string | number | readonly string[] | undefined | null>;

/**
 * Reads a hash like `#/view?x=1`; a view not in `known` opens the first of them.
 * @example parseHash('#/nope', ['overview', 'history']).view === 'overview'
 */
export function parseHash(hash: string, known: readonly View[]): Route {
  const text = hash.replace(/^#\/?/, '');
  const q = text.indexOf('?');
  const path = q === -1 ? text : text.slice(0, q);
  const query = q === -1 ? '' : text.slice(q + 1);
  const view = known.includes(path) ? path : known[0]!;
  return { view, params: new URLSearchParams(query) };
}

/**
 * The hash link of a view with its state; empty values are left out and
 * lists are joined with commas.
 * @example routeHref('history', { machine: 1, modes: ['gil', 'nogil'] }) === '#/history?machine=1&modes=gil%2Cnogil'
 */
export function routeHref(view: View, params: RouteParams = {}): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    query.set(key, Array.isArray(value) ? value.join(',') : String(value));
  }
  const text = query.toString();
  return `#/${view}${text ? `?${text}` : ''}`;
}

/** A comma-separated list parameter (`modes=gil,nogil`). */
export function listParam(params: URLSearchParams, name: string): string[] {
  return (params.get(name) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** URLSearchParams as a plain object (for building a changed copy). */
export function paramsObject(params: URLSearchParams): Record<string, string> {
  return Object.fromEntries(params.entries());
}
