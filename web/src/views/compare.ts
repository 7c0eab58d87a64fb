/**
 * Compare: two modes of one run (default gil against nogil of the latest run)
 * or one mode in two runs. A sortable table (benchmark, both values, ratio ±
 * CI, significant or not) with the geometric mean, and a chart of the ratios.
 *
 * URL state: `machine`, `by=modes|runs`, `run`, `base`, `other` (modes), or
 * `run`, `against` (runs) with `mode`; `suite`, `sort`, `desc`.
 */
import type { ComparisonRow, ComparisonView, RunInfo } from '../api.ts';
import { chartBox, modeColor, ratioBars } from '../charts.ts';
import { type Child, emptyState, h, select } from '../dom.ts';
import {
  formatNs,
  formatPercent,
  formatRatio,
  formatRatioCi,
  formatRatioRange,
  formatRatioReading,
  ratioVerdict,
} from '../format.ts';
import { type Column, sortableTable } from '../table.ts';
import {
  findMode,
  lead,
  machinePicker,
  measureCommand,
  missingMode,
  modeName,
  modePicker,
  noRunsYet,
  resolveMachine,
  runPicker,
  type ViewContext,
} from './common.ts';

function statsCell(stats: ComparisonRow['base']): Child {
  if (!stats) return '–';
  return h(
    'span',
    { attrs: { title: `median; 95% CI [${formatNs(stats.ciLow)}, ${formatNs(stats.ciHigh)}], n=${stats.n}` } },
    formatNs(stats.median),
    h('span', { className: 'muted small' }, ` ±${formatPercent(stats.margin, 1)}`),
  );
}

function ratioCell(row: ComparisonRow): Child {
  if (row.ratio === null) return '–';
  return [
    h('div', {}, formatRatioReading(row.ratio)),
    h('div', { className: 'muted small' }, formatRatioCi(row.ratio, row.ciLow, row.ciHigh)),
  ];
}

/** A side's short name: the mode's name for two modes of a run, the run's label for two runs. */
function sideName(side: ComparisonView['base'], byModes: boolean): string {
  return byModes ? modeName(side.mode.id) : side.label;
}

/** Case ids can be long; on a narrow chart the axis keeps their end, which tells cases apart. */
function shortLabel(label: string, room: number): string {
  const max = Math.max(12, Math.floor(room / 6.5));
  return label.length <= max ? label : `…${label.slice(label.length - max + 1)}`;
}

function significanceCell(row: ComparisonRow): Child {
  if (row.ratio === null)
    return h('span', { className: 'muted reason', attrs: { title: row.reason ?? '' } }, row.reason ?? 'not compared');
  if (!row.significant) return h('span', { className: 'muted' }, 'no');
  return h('span', { className: row.ratio < 1 ? 'sig faster' : 'sig' }, row.ratio < 1 ? 'yes, faster' : 'yes, slower');
}

function ratioChart(view: ComparisonView, rows: ComparisonRow[], byModes: boolean): HTMLElement {
  const shown = rows.filter((r) => r.ratio !== null).slice(0, 200);
  const other = sideName(view.other, byModes);
  const base = sideName(view.base, byModes);
  const { figure, canvas } = chartBox(`${other} / ${base} time per case (95% CI)`, {
    height: Math.min(4000, 60 + shown.length * 22),
    id: 'compare-ratios',
  });
  ratioBars(canvas, {
    bars: shown.map((r) => ({
      label: r.caseId,
      ratio: r.ratio!,
      ciLow: r.ciLow ?? r.ratio!,
      ciHigh: r.ciHigh ?? r.ratio!,
    })),
    colors: shown.map((r) => (r.significant ? modeColor(view.other.mode.mode) : '#adb5bd')),
    other,
    base,
    axisTitle: `time ratio ${other} / ${base}: above 1 = ${other} slower (grey: not significant)`,
    y: {
      ticks: {
        autoSkip: false,
        font: { size: 11 },
        callback(this: { chart: { width: number } }, _v: unknown, index: number) {
          return shortLabel(shown[index]?.caseId ?? '', this.chart.width * 0.4);
        },
      },
    },
  });
  return figure;
}

function comparisonTable(
  ctx: ViewContext,
  view: ComparisonView,
  rows: ComparisonRow[],
  gm: ComparisonView['geometricMean'],
  byModes: boolean,
): HTMLElement {
  const columns: Column<ComparisonRow>[] = [
    {
      key: 'case',
      label: 'benchmark',
      value: (r) => r.caseId,
      cell: (r) => h('span', { className: 'case' }, r.caseId),
    },
    {
      key: 'base',
      label: `${sideName(view.base, byModes)} (base)`,
      title: `${view.base.label}: median ns per operation ± CI half-width`,
      numeric: true,
      value: (r) => r.base?.median ?? null,
      cell: (r) => statsCell(r.base),
    },
    {
      key: 'other',
      label: sideName(view.other, byModes),
      title: `${view.other.label}: median ns per operation ± CI half-width`,
      numeric: true,
      value: (r) => r.other?.median ?? null,
      cell: (r) => statsCell(r.other),
    },
    {
      key: 'ratio',
      label: 'time ratio [95% CI]',
      title: `${view.other.label} time / ${view.base.label} time`,
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
  const footer = [
    h('td', {}, `geometric mean (${gm?.count ?? 0} cases)`),
    h('td', {}),
    h('td', {}),
    h(
      'td',
      { className: 'num', data: { geomean: gm?.value } },
      gm
        ? [h('div', {}, formatRatioReading(gm.value)), h('div', {}, formatRatioCi(gm.value, gm.ciLow, gm.ciHigh))]
        : '–',
    ),
    h('td', {}, gm ? ratioVerdict(gm.ciLow, gm.ciHigh) : ''),
  ];
  return sortableTable(columns, rows, {
    sort: ctx.params.get('sort') ?? 'case',
    descending: ctx.params.get('desc') === '1',
    onSort: (key, descending) => ctx.setParams({ sort: key, desc: descending ? '1' : undefined }, { replace: true }),
    footer,
    testId: 'compare',
    rowData: (r) => ({ case: r.caseId, ratio: r.ratio ?? undefined }),
  });
}

export async function renderCompare(ctx: ViewContext): Promise<Child> {
  const header = [
    h('h1', {}, 'Compare'),
    lead(
      'Time per operation of each case in two modes or two runs, and their ratio other / base with a 95% bootstrap CI.',
    ),
  ];
  const machines = await ctx.api.machines();
  const machine = await resolveMachine(ctx, machines);
  if (!machine) return [header, noRunsYet()];
  const runs = await ctx.api.runs({ machine: machine.id });
  if (runs.length === 0)
    return [
      header,
      h('div', { className: 'controls' }, machinePicker(ctx, machines, machine)),
      emptyState(
        'This machine has no run yet.',
        'Measure on it in two modes to compare them: ',
        measureCommand('single-thread,scaling,calls,locks'),
        '.',
      ),
    ];

  const by = ctx.params.get('by') === 'runs' ? 'runs' : 'modes';
  const run: RunInfo = runs.find((r) => r.id === ctx.params.get('run')) ?? runs[0]!;
  const controls: HTMLElement[] = [
    machinePicker(ctx, machines, machine),
    select(
      'Compare',
      [
        { value: 'modes', label: 'two modes of one run' },
        { value: 'runs', label: 'one mode in two runs' },
      ],
      by,
      (value) => ctx.setParams({ by: value }),
      'by',
    ),
    runPicker(ctx, by === 'runs' ? 'Run' : 'Run', 'run', runs, run.id),
  ];

  let view: ComparisonView;
  let notice: HTMLElement | null = null;
  if (by === 'modes') {
    const base = findMode(run.modes, ctx.params.get('base') ?? 'gil') ?? run.modes[0]!;
    const other = findMode(run.modes, ctx.params.get('other') ?? 'nogil') ?? run.modes.find((m) => m.id !== base.id);
    controls.push(modePicker(ctx, 'Base', 'base', run.modes, base.id));
    if (!other || other.id === base.id) {
      return [header, h('div', { className: 'controls' }, controls), missingMode('second', run.modes)];
    }
    controls.push(modePicker(ctx, 'Other', 'other', run.modes, other.id));
    if (ctx.params.get('other') && !findMode(run.modes, ctx.params.get('other')))
      notice = missingMode(ctx.params.get('other')!, run.modes);
    view = await ctx.api.compareModes(run.id, base.id, other.id);
  } else {
    const againstId = ctx.params.get('against') ?? runs.find((r) => r.id !== run.id)?.id;
    const against = runs.find((r) => r.id === againstId);
    if (!against || against.id === run.id) {
      return [
        header,
        h('div', { className: 'controls' }, controls),
        emptyState(
          'This machine has only one run.',
          'Comparing runs needs a second run of the same machine; compare its modes instead.',
        ),
      ];
    }
    controls.push(runPicker(ctx, 'Against (base)', 'against', runs, against.id));
    const shared = run.modes.filter((m) => against.modes.some((a) => a.id === m.id));
    const mode = findMode(shared, ctx.params.get('mode') ?? 'nogil') ?? shared[0];
    if (!mode)
      return [
        header,
        h('div', { className: 'controls' }, controls),
        emptyState('These runs share no mode.', 'Pick runs that measured the same interpreter and mode.'),
      ];
    controls.push(modePicker(ctx, 'Mode', 'mode', shared, mode.id));
    view = await ctx.api.compareRuns(against.id, run.id, mode.id);
  }

  const suites = [...new Set(view.rows.map((r) => r.suite))];
  const suite = ctx.params.get('suite');
  controls.push(
    select(
      'Suite',
      [{ value: '', label: 'all suites' }, ...suites.map((s) => ({ value: s, label: s }))],
      suite && suites.includes(suite) ? suite : '',
      (value) => ctx.setParams({ suite: value || undefined }),
      'suite',
    ),
  );
  const rows = suite && suites.includes(suite) ? view.rows.filter((r) => r.suite === suite) : view.rows;
  const gm =
    suite && suites.includes(suite)
      ? (view.suites.find((s) => s.suite === suite)?.geometricMean ?? null)
      : view.geometricMean;
  if (rows.length === 0) {
    return [
      header,
      h('div', { className: 'controls' }, controls),
      notice,
      emptyState('No case was measured in both.', 'Run the same suites in both modes (or runs) to compare them.'),
    ];
  }
  return [
    header,
    h('div', { className: 'controls' }, controls),
    notice,
    h(
      'p',
      {},
      `${view.other.label} against ${view.base.label}: geometric mean `,
      h('strong', { data: { headline: 'geomean' } }, gm ? formatRatio(gm.value) : '–'),
      gm ? ` ${formatRatioRange(gm.ciLow, gm.ciHigh)}` : '',
      gm
        ? `, i.e. ${sideName(view.other, by === 'modes')} is ${formatRatioReading(gm.value)} over ${gm.count} cases.`
        : '',
    ),
    comparisonTable(ctx, view, rows, gm, by === 'modes'),
    ratioChart(view, rows, by === 'modes'),
  ];
}
