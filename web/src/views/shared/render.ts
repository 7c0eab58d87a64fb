/**
 * Draws the shared model pieces (shared/model.ts): text with code and links,
 * empty states, pickers, a page's header. Text only, through `h()`.
 *
 * @example replaceChildren(main, header('Scaling', ['Each thread does the same work…']), empty(model.empty));
 */
import { type Child, code, emptyState, h, select } from '../../dom.ts';
import { type RouteParams, routeHref } from '../../route.ts';
import type { ViewContext } from '../types.ts';
import { type Empty, type Inline, type Select, selectChange } from './model.ts';

/** An in-app link with state. */
export function viewLink(view: string, params: RouteParams, ...text: Child[]): HTMLAnchorElement {
  return h('a', { attrs: { href: routeHref(view, params) } }, ...text);
}

/** Text pieces as DOM. */
export function inline(pieces: readonly Inline[]): Child[] {
  return pieces.map((p) => {
    if (p === null || typeof p === 'string') return p;
    if ('code' in p) return code(p.code);
    if ('strong' in p) return h('strong', {}, p.strong);
    if ('title' in p) return h('span', { attrs: { title: p.title } }, p.text);
    return viewLink(p.link.view, p.link.params, p.link.text);
  });
}

export function empty(model: Empty): HTMLElement {
  return emptyState(model.title, ...inline(model.advice));
}

/** A picker whose change goes into the URL. */
export function picker(ctx: ViewContext, model: Select): HTMLElement {
  return select(
    model.label,
    model.options,
    model.value,
    (value) => ctx.setParams(selectChange(model, value), model.replace ? { replace: true } : {}),
    model.name,
  );
}

/** A page's title and its paragraph of context. */
export function header(title: string, lead: readonly Inline[]): Child {
  return [h('h1', {}, title), h('p', { className: 'muted' }, ...inline(lead))];
}

/** The row of pickers above a view. */
export function controls(ctx: ViewContext, selects: readonly Select[], ...more: Child[]): HTMLElement {
  return h(
    'div',
    { className: 'controls' },
    selects.map((s) => picker(ctx, s)),
    ...more,
  );
}
