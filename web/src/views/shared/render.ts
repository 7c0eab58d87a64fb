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

/**
 * A section closed unless the URL's `open=KEY,…` names it; its body is built only when open (charts
 * are drawn, statistics computed), and opening or closing it rewrites `open=` and draws the page again.
 * @example collapsible(ctx, { key: 'calls-0', open: false, summary: ['calls/call-python · …'] }, openKeys, () => chart)
 */
export function collapsible(
  ctx: ViewContext,
  section: { key: string; open: boolean; summary: Child[] },
  openKeys: readonly string[],
  body: () => Child,
): HTMLElement {
  const details = h(
    'details',
    { data: { section: section.key }, attrs: section.open ? { open: '' } : {} },
    h('summary', {}, ...section.summary),
  );
  details.addEventListener('toggle', () => {
    if (details.open === section.open) return; // the toggle of being drawn open
    const open = new Set(openKeys);
    if (details.open) open.add(section.key);
    else open.delete(section.key);
    ctx.setParams({ open: [...open].join(',') || undefined }, { replace: true });
  });
  if (section.open) details.append(h('div', { className: 'section-body' }, body()));
  return details;
}
