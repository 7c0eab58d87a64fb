/** Draws compare's model: the pickers, the headline, the sortable table and the chart of ratios. */
import { chartBox, modeColor, ratioBars } from '../../charts.ts';
import { type Child, h } from '../../dom.ts';
import { type Column, sortableTable } from '../../table.ts';
import { controls, empty, header } from '../shared/render.ts';
import type { ViewContext } from '../types.ts';
import type { CompareModel, CompareRow, CompareTable, RatioChartModel, StatsCell, SuiteSection } from './model.ts';

function statsCell(stats: StatsCell | null): Child {
  if (!stats) return '–';
  return h(
    'span',
    { attrs: { title: stats.title } },
    stats.median,
    h('span', { className: 'muted small' }, stats.margin),
    stats.unstable
      ? h('span', { className: 'unstable', data: { unstable: '1' }, attrs: { 'aria-label': 'unstable' } }, ' ?')
      : null,
  );
}

function ratioCell(row: CompareRow): Child {
  if (row.reading === null) return '–';
  return [h('div', {}, row.reading), h('div', { className: 'muted small' }, row.ratioCi)];
}

function significanceCell(row: CompareRow): Child {
  const v = row.verdict;
  return h('span', { className: v.className, attrs: v.title === undefined ? {} : { title: v.title } }, v.text);
}

/** Case ids can be long; on a narrow chart the axis keeps their end, which tells cases apart. */
function shortLabel(label: string, room: number): string {
  const max = Math.max(12, Math.floor(room / 6.5));
  return label.length <= max ? label : `…${label.slice(label.length - max + 1)}`;
}

function ratioChart(model: RatioChartModel): HTMLElement {
  const { figure, canvas } = chartBox(model.title, { height: model.height, id: 'compare-ratios' });
  const bars = model.bars;
  ratioBars(canvas, {
    bars,
    colors: bars.map((b) => (b.significant ? modeColor(model.otherMode) : '#adb5bd')),
    other: model.other,
    base: model.base,
    axisTitle: model.axisTitle,
    y: {
      ticks: {
        autoSkip: false,
        font: { size: 11 },
        callback(this: { chart: { width: number } }, _v: unknown, index: number) {
          return shortLabel(bars[index]?.label ?? '', this.chart.width * 0.4);
        },
      },
    },
  });
  return figure;
}

function comparisonTable(ctx: ViewContext, table: CompareTable, section: SuiteSection): HTMLElement {
  const columns: Column<CompareRow>[] = [
    {
      key: 'case',
      label: 'benchmark',
      value: (r) => r.caseId,
      cell: (r) => h('span', { className: 'case' }, r.caseId),
    },
    {
      key: 'base',
      label: table.baseLabel,
      title: table.baseTitle,
      numeric: true,
      value: (r) => r.baseMedian,
      cell: (r) => statsCell(r.base),
    },
    {
      key: 'other',
      label: table.otherLabel,
      title: table.otherTitle,
      numeric: true,
      value: (r) => r.otherMedian,
      cell: (r) => statsCell(r.other),
    },
    {
      key: 'ratio',
      label: 'time ratio [95% CI]',
      title: table.ratioTitle,
      numeric: true,
      value: (r) => r.ratio,
      cell: ratioCell,
    },
    {
      key: 'significant',
      label: 'significant',
      value: (r) => (r.ratio === null ? null : r.significant ? 1 : 0),
      cell: significanceCell,
    },
  ];
  const f = section.footer;
  const footer = [
    h('td', {}, f.label),
    h('td', {}),
    h('td', {}),
    h(
      'td',
      { className: 'num', data: { geomean: f.value } },
      f.reading ? [h('div', {}, f.reading), h('div', {}, f.ci)] : '–',
    ),
    h('td', {}, f.verdict),
  ];
  const shown = new Set(section.shown);
  return sortableTable(
    columns,
    table.rows.filter((r) => shown.has(r.caseId)),
    {
      sort: table.sort,
      descending: table.descending,
      onSort: (key, descending) => ctx.setParams({ sort: key, desc: descending ? '1' : undefined }, { replace: true }),
      footer,
      testId: 'compare',
      rowData: (r) => ({ case: r.caseId, ratio: r.ratio ?? undefined }),
    },
  );
}

/** A suite: its summary, the rows that matter, and a button that shows them all (kept in the URL as `all`). */
function suiteSection(ctx: ViewContext, table: CompareTable, section: SuiteSection): HTMLElement {
  const opened = () => {
    const all = new Set((ctx.state.params.get('all') ?? '').split(',').filter(Boolean));
    all.add(section.suite);
    ctx.setParams({ all: [...all].join(',') }, { replace: true });
  };
  return h(
    'section',
    { data: { suite: section.suite } },
    h('h3', {}, section.suite),
    h('p', { className: 'muted small', data: { summary: section.suite } }, section.summary),
    comparisonTable(ctx, table, section),
    section.open
      ? null
      : h(
          'button',
          { attrs: { type: 'button' }, data: { showAll: section.suite }, on: { click: opened } },
          `show all ${section.rowCount} rows (${section.shown.length} shown: the largest changes)`,
        ),
  );
}

export function renderCompare(model: CompareModel, ctx: ViewContext): Child {
  const top = header('Compare', [model.lead]);
  if (model.noMachine) return [top, empty(model.noMachine)];
  const row = controls(ctx, model.controls);
  const notice = model.notice ? empty(model.notice) : null;
  if (model.empty) return [top, row, notice, empty(model.empty)];
  const hl = model.headline;
  return [
    top,
    row,
    notice,
    hl ? h('p', {}, hl.text, h('strong', { data: { headline: 'geomean' } }, hl.value), hl.ci, hl.reading) : null,
    model.chart ? ratioChart(model.chart) : null,
    model.table?.unstableNote
      ? h('p', { className: 'muted small', data: { note: 'unstable' } }, model.table.unstableNote)
      : null,
    model.table ? model.table.sections.map((s) => suiteSection(ctx, model.table!, s)) : null,
  ];
}
