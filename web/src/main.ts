/**
 * The dashboard's entry point: draws the nav bar from the view registry,
 * reads the route from the URL's hash, draws that view into `<main>`, and
 * draws it again when the hash changes. Marks
 * `gilbench:first-chart` and `gilbench:rendered` with the Performance API and
 * sets `<body data-ready="view">` once a view is drawn (the tests and
 * `web/bench.ts` wait for it).
 */
import { Api, type Session } from './api.ts';
import { Chart, destroyCharts, destroyDetachedCharts, liveCharts } from './charts.ts';
import { type Child, code, h, replaceChildren } from './dom.ts';
import { createSource, storedToken, storeToken } from './page-source.ts';
import { type RouteParams, routeHref } from './route.ts';
import { ApiError } from './source.ts';
import { parseRoute, VIEWS, viewById } from './views/index.ts';
import { type Missing, missingFromUrl } from './views/missing.ts';
import { DRAW } from './views/renderers.ts';
import type { ViewContext } from './views/types.ts';

const source = createSource();
const api = new Api(source);
let session: Session | null = null;
let renderCount = 0;

function errorView(err: unknown): Child {
  if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
    return h(
      'div',
      { className: 'error', attrs: { role: 'alert' } },
      h('strong', {}, 'This dashboard is private.'),
      h(
        'p',
        {},
        'Sign in with a token (top right), or ask the operator to start the server with ',
        code('gilbench server --public'),
        '.',
      ),
    );
  }
  const message = err instanceof Error ? err.message : String(err);
  const detail =
    err instanceof ApiError && err.detail !== undefined
      ? typeof err.detail === 'string'
        ? err.detail
        : JSON.stringify(err.detail)
      : null;
  return h(
    'div',
    { className: 'error', attrs: { role: 'alert' } },
    h('strong', {}, 'Could not load this view: '),
    message,
    detail ? h('p', {}, detail) : null,
  );
}

/** What the URL named that is not here, and the ways on. */
function missingView(missing: Missing, view: string, params: URLSearchParams): Child {
  const without = Object.fromEntries([...params.entries()].filter(([k]) => k !== missing.param));
  return h(
    'div',
    { className: 'error', attrs: { role: 'alert' }, data: { missing: missing.what } },
    h('strong', {}, missing.message),
    h(
      'p',
      {},
      missing.param
        ? [h('a', { attrs: { href: routeHref(view, without) } }, `Open ${view} without it`), ', or pick one of: ']
        : 'Pick one of: ',
      VIEWS.map((v, i) => [i ? ', ' : '', h('a', { attrs: { href: routeHref(v.id) } }, v.nav)]),
      '.',
    ),
  );
}

/** The server's address for commands shown in advice (`URL` on an exported site). */
function serverUrl(): string {
  const live = source.kind !== 'static' && /^https?:$/.test(location.protocol);
  return live ? location.origin : 'URL';
}

/** The nav bar: one link per registered view. */
function renderNav(): void {
  const nav = document.getElementById('nav');
  if (!nav) return;
  replaceChildren(
    nav,
    VIEWS.map((v) => h('a', { attrs: { href: routeHref(v.id) }, data: { view: v.id } }, v.nav)),
  );
}

/** `inPlace`: the same view drawn again for a change of its state (a section opened): no "Loading…", same scroll. */
async function render(opts: { inPlace?: boolean } = {}): Promise<void> {
  const route = parseRoute(location.hash);
  const mine = ++renderCount;
  const main = document.getElementById('app')!;
  document.body.removeAttribute('data-ready');
  destroyCharts();
  for (const a of document.querySelectorAll<HTMLAnchorElement>('#nav a'))
    a.classList.toggle('active', a.dataset.view === route.view);
  const view = viewById(route.view);
  document.title = `${view.title} · gilbench`;
  const scrollY = window.scrollY;
  if (!opts.inPlace) replaceChildren(main, h('p', { className: 'loading' }, 'Loading…'));

  const ctx: ViewContext = {
    api,
    view: route.view,
    state: {
      params: route.params,
      isStatic: source.kind === 'static',
      session,
      serverUrl: serverUrl(),
      now: Date.now(),
    },
    setParams(change: RouteParams, opts = {}) {
      const next: RouteParams = Object.fromEntries(route.params.entries());
      Object.assign(next, change);
      const href = routeHref(route.view, next);
      if (opts.silent) history.replaceState(null, '', href);
      else if (opts.replace) {
        history.replaceState(null, '', href);
        void render({ inPlace: true });
      } else location.hash = href;
    },
  };
  let content: Child;
  try {
    const missing = await missingFromUrl(
      api,
      location.hash,
      VIEWS.map((v) => v.id),
      route.params,
    ).catch(() => null); // a check that cannot be made leaves the view to say what it can
    if (missing) document.title = `Not found · gilbench`;
    content = missing ? missingView(missing, route.view, route.params) : await DRAW[view.id](ctx);
  } catch (err) {
    content = errorView(err);
  }
  if (mine !== renderCount) return; // a newer navigation won
  replaceChildren(main, content);
  if (opts.inPlace) window.scrollTo(0, scrollY);
  // Charts drawn by a view that lost the race to a newer navigation never got attached.
  destroyDetachedCharts();
  // Charts on detached canvases draw when attached; two frames later the page is drawn.
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      if (mine !== renderCount) return;
      performance.mark('gilbench:rendered');
      document.body.dataset.ready = route.view;
    }),
  );
}

function renderSession(): void {
  const box = document.getElementById('session');
  if (!box) return;
  if (source.kind === 'static') {
    // Written by export-site: when and from what, so a reader knows how old the numbers are.
    const exported = document.querySelector('meta[name="gilbench-exported"]')?.getAttribute('content');
    replaceChildren(
      box,
      h(
        'span',
        { data: { exported: exported ?? '' } },
        `static snapshot (read-only)${exported ? `, exported ${exported}` : ''}`,
      ),
    );
    return;
  }
  if (session?.role) {
    replaceChildren(
      box,
      `signed in (${session.role}) `,
      h('button', { attrs: { type: 'button' }, on: { click: () => void signIn(null) } }, 'Sign out'),
    );
    return;
  }
  const input = h('input', {
    attrs: { type: 'password', name: 'token', placeholder: 'admin token', autocomplete: 'off', 'aria-label': 'token' },
  });
  const form = h(
    'form',
    {
      className: 'admin-form',
      on: {
        submit: (e) => {
          e.preventDefault();
          void signIn(input.value.trim() || null);
        },
      },
    },
    input,
    h('button', { attrs: { type: 'submit' } }, 'Sign in'),
  );
  replaceChildren(box, session?.public === false ? 'private dashboard · ' : '', form);
}

async function loadSession(): Promise<void> {
  if (source.kind === 'static') return;
  try {
    session = await api.session();
  } catch {
    session = null;
  }
}

async function signIn(token: string | null): Promise<void> {
  storeToken(token);
  await loadSession();
  if (token && !session?.role) {
    storeToken(null);
    await loadSession();
    renderSession();
    const box = document.getElementById('session');
    box?.append(h('span', { className: 'sig', attrs: { role: 'alert' } }, ' token not accepted'));
    return;
  }
  renderSession();
  await render();
}

declare global {
  interface Window {
    /** Read-only hooks for the browser tests and the benchmark. */
    __gilbench?: {
      charts(): Array<{
        id: string | undefined;
        type: string;
        datasets: Array<{ label: string; points: number; drawn: number }>;
        /** The labels of its vertical marks (changes, notes, runtime changes). */
        marks: string[];
      }>;
      Chart: typeof Chart;
    };
  }
}

window.__gilbench = {
  charts: () =>
    liveCharts().map((chart) => ({
      id: chart.canvas.closest<HTMLElement>('figure')?.dataset.chart,
      type: String((chart.config as { type?: string }).type),
      // The decimation plugin swaps `data` for the points it draws and keeps the rest in `_data`.
      datasets: chart.data.datasets.map((d) => ({
        label: String(d.label ?? ''),
        points: ((d as { _data?: unknown[] })._data ?? d.data).length,
        drawn: d.data.length,
      })),
      marks: Object.values(
        (chart.options.plugins as { annotation?: { annotations?: Record<string, { label?: { content?: unknown } }> } })
          ?.annotation?.annotations ?? {},
      )
        .map((a) => a.label?.content)
        .filter((c): c is string => typeof c === 'string'),
    })),
  Chart,
};

window.addEventListener('hashchange', () => void render());
void (async () => {
  renderNav();
  if (storedToken() === null) renderSession();
  await loadSession();
  renderSession();
  await render();
})();
