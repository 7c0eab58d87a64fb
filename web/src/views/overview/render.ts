/** Draws overview's model: a section per machine with its headline cards and the chart of ratios by suite. */
import { chartBox, modeColor, ratioBars } from '../../charts.ts';
import { type Child, h } from '../../dom.ts';
import { empty, header, inline, viewLink } from '../shared/render.ts';
import type { ViewContext } from '../types.ts';
import type {
  CallRatioTable,
  CallsTable,
  Card,
  CardDetail,
  MachineSection,
  OverviewModel,
  SuiteChart,
} from './model.ts';

function callsTable(table: CallsTable): HTMLElement {
  return h(
    'table',
    { className: 'mini' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}, 'mode'),
        h('th', { className: 'num' }, 'arity 0'),
        h('th', { className: 'num' }, 'arity 4'),
      ),
    ),
    h(
      'tbody',
      {},
      table.rows.map((r) =>
        h(
          'tr',
          {},
          h('td', { attrs: { title: r.modeId } }, r.mode),
          h('td', { className: 'num' }, r.arity0),
          h('td', { className: 'num' }, r.arity4),
        ),
      ),
    ),
  );
}

function callRatioTable(table: CallRatioTable): HTMLElement {
  return h(
    'table',
    { className: 'mini', data: { table: 'call-ratios' } },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}, 'call kind'),
        table.arities.map((a) => h('th', { className: 'num' }, `arity ${a}`)),
      ),
    ),
    h(
      'tbody',
      {},
      table.rows.map((r) =>
        h(
          'tr',
          { data: { kind: r.kind } },
          h('td', {}, r.kind),
          r.cells.map((c) =>
            h('td', { className: 'num', attrs: { title: c.title }, data: { arity: String(c.arity) } }, c.text),
          ),
        ),
      ),
    ),
  );
}

function value(v: Card['value']): Child {
  if (typeof v === 'string') return v;
  return 'arities' in v ? callRatioTable(v) : callsTable(v);
}

function detail(d: CardDetail): Child {
  // Plain text stays a text node; text with a command in it is one span.
  if (d.kind === 'text') return d.text.every((p) => typeof p === 'string') ? d.text : h('span', {}, ...inline(d.text));
  if (d.kind === 'list')
    return h(
      'ol',
      {},
      d.items.map((item) => h('li', {}, ...inline(item))),
    );
  return d.lines.map((line) => h('div', { className: line.className }, ...inline(line.text)));
}

function card(c: Card): HTMLElement {
  return h(
    'section',
    { className: c.caution ? 'card caution' : 'card', data: { card: c.id } },
    h('h3', {}, c.title),
    h('div', { className: 'big' }, value(c.value)),
    h('div', { className: 'muted' }, detail(c.detail)),
    c.context
      ? h(
          'div',
          { className: 'context', data: { context: c.caution ? 'caution' : 'ok' } },
          c.caution ? `⚠ ${c.context}` : c.context,
        )
      : null,
    c.link ? h('div', { className: 'more' }, viewLink(c.link.view, c.link.params, c.link.text)) : null,
  );
}

function suiteChart(model: SuiteChart): HTMLElement {
  const { figure, canvas } = chartBox(model.title, { height: model.height, id: 'overview-suites' });
  ratioBars(canvas, {
    bars: model.bars,
    colors: modeColor(model.otherMode),
    other: model.other,
    base: model.base,
    axisTitle: model.axisTitle,
    y: { title: { display: true, text: 'suite' } },
  });
  return figure;
}

function machineSection(s: MachineSection): HTMLElement {
  const title = h('h2', {}, viewLink(s.title.view, s.title.params, s.title.text));
  if (s.empty) return h('section', { className: 'machine', data: { machine: s.machineId } }, title, empty(s.empty));
  return h(
    'section',
    { className: 'machine', data: { machine: s.machineId } },
    title,
    h('p', { className: 'muted' }, ...inline(s.newest)),
    s.notice ? h('p', { className: 'notice', attrs: { role: 'note' }, data: { notice: 'caveat' } }, s.notice) : null,
    h('div', { className: 'cards' }, s.cards.map(card)),
    s.chart ? suiteChart(s.chart) : null,
  );
}

export function renderOverview(model: OverviewModel, _ctx: ViewContext): Child {
  const top = [
    header('Overview', model.lead),
    h(
      'dl',
      { className: 'modes muted', data: { modes: '' } },
      model.modes.map((m) => [h('dt', {}, m.mode), h('dd', {}, m.text)]),
    ),
  ];
  if (model.noMachine) return [top, empty(model.noMachine)];
  return [top, model.machines.map(machineSection)];
}
