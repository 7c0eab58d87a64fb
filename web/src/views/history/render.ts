/**
 * Draws history's model: the pickers and mode boxes, the chart with zoom
 * (wheel, pinch, drag a box with shift) and pan (drag), whose visible range
 * goes into the URL, and the table of the latest points. Long series are
 * decimated (LTTB) to about one point per pixel of the visible range.
 */
import { type Chart, chartBox, makeChart, markAnnotations, modeColor } from '../../charts.ts';
import { type Child, h } from '../../dom.ts';
import { formatNs } from '../../format.ts';
import { controls, empty, header, picker, viewLink } from '../shared/render.ts';
import type { ViewContext } from '../types.ts';
import {
  CI_SUFFIX,
  type HistoryChart,
  type HistoryModel,
  type ModeToggles,
  modesChange,
  type RecentRow,
} from './model.ts';

function datasetsOf(chart: HistoryChart): unknown[] {
  return chart.datasets.map((d) => {
    const color = modeColor(d.mode, d.index);
    if (d.role === 'line')
      return {
        label: d.label,
        data: d.points,
        borderColor: color,
        backgroundColor: color,
        errorBarColor: color,
        errorBarWhiskerColor: color,
        borderWidth: 1.5,
        pointRadius: d.dots ? 2.5 : 0,
        pointHitRadius: 4,
      };
    return {
      label: d.label,
      data: d.points,
      borderWidth: 0,
      pointRadius: 0,
      pointHitRadius: 0,
      backgroundColor: `${color}33`,
      fill: d.role === 'ci-high' ? '-1' : false,
    };
  });
}

/** The visible range goes into the URL (without re-rendering) so the link shows the same window. */
function keepRange(ctx: ViewContext, chart: Chart): void {
  const x = chart.scales.x;
  if (!x) return;
  ctx.setParams({ from: Math.round(x.min), to: Math.round(x.max) }, { replace: true, silent: true });
}

function historyChart(ctx: ViewContext, model: HistoryChart): HTMLElement {
  const { figure, canvas } = chartBox(model.title, { height: 380, id: 'history' });
  const chart = makeChart(canvas, {
    type: model.bars ? 'lineWithErrorBars' : 'line',
    data: { datasets: datasetsOf(model) },
    options: {
      parsing: model.bars ? undefined : false,
      normalized: true,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      scales: {
        x: {
          type: 'time',
          min: model.from,
          max: model.to,
          time: { tooltipFormat: 'yyyy-MM-dd HH:mm' },
          ticks: { maxRotation: 0, autoSkipPadding: 16 },
          title: { display: true, text: 'run start (your time zone)' },
        },
        y: {
          type: model.log ? 'logarithmic' : 'linear',
          title: { display: true, text: 'ns per operation (median, 95% CI)' },
          ticks: { callback: (v: number | string) => formatNs(Number(v)) },
        },
      },
      plugins: {
        legend: {
          position: 'bottom',
          labels: { boxWidth: 14, filter: (item: { text: string }) => !item.text.endsWith(CI_SUFFIX) },
        },
        decimation: {
          enabled: true,
          algorithm: 'lttb',
          samples: Math.max(300, Math.min(2000, window.innerWidth)),
        },
        annotation: { annotations: markAnnotations(model.marks) },
        tooltip: {
          callbacks: {
            label: (item: { dataset: { label?: string }; parsed: { y: number } }) =>
              `${item.dataset.label}: ${formatNs(item.parsed.y)}`,
          },
        },
        zoom: {
          limits: { x: { min: 'original', max: 'original', minRange: 60_000 } },
          pan: { enabled: true, mode: 'x', onPanComplete: ({ chart }: { chart: Chart }) => keepRange(ctx, chart) },
          zoom: {
            wheel: { enabled: true },
            pinch: { enabled: true },
            drag: { enabled: true, modifierKey: 'shift' },
            mode: 'x',
            onZoomComplete: ({ chart }: { chart: Chart }) => keepRange(ctx, chart),
          },
        },
      },
    },
  } as never);
  const reset = h(
    'button',
    {
      attrs: { type: 'button' },
      on: {
        click: () => {
          (chart as unknown as { resetZoom(): void }).resetZoom();
          ctx.setParams({ from: undefined, to: undefined }, { replace: true, silent: true });
        },
      },
    },
    'Reset zoom',
  );
  figure.appendChild(
    h('p', { className: 'muted' }, 'Wheel or pinch to zoom, drag to pan, shift-drag to zoom to a box. ', reset),
  );
  return figure;
}

function modeBoxes(ctx: ViewContext, toggles: ModeToggles): HTMLElement {
  return h(
    'fieldset',
    { className: 'field' },
    h('legend', {}, 'Modes'),
    toggles.options.map((o) =>
      h(
        'label',
        {},
        h('input', {
          attrs: { type: 'checkbox', name: 'modes', value: o.modeId, checked: o.checked },
          on: {
            change: (e) => ctx.setParams(modesChange(toggles, o.modeId, (e.target as HTMLInputElement).checked)),
          },
        }),
        ` ${o.modeId}`,
      ),
    ),
  );
}

function recentTable(rows: readonly RecentRow[]): HTMLElement {
  return h(
    'div',
    { className: 'table-wrap' },
    h(
      'table',
      { data: { table: 'history-recent' } },
      h('caption', { className: 'muted' }, 'Latest points'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'time'),
          h('th', {}, 'mode'),
          h('th', { className: 'num' }, 'median'),
          h('th', { className: 'num' }, '95% CI'),
          h('th', {}, 'run'),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((r) =>
          h(
            'tr',
            {},
            h('td', { className: 'nowrap' }, r.time),
            h('td', { attrs: { title: r.modeId } }, r.mode),
            h('td', { className: 'num' }, r.median),
            h('td', { className: 'num' }, r.ci),
            h('td', {}, viewLink(r.run.view, r.run.params, r.run.text)),
          ),
        ),
      ),
    ),
  );
}

export function renderHistory(model: HistoryModel, ctx: ViewContext): Child {
  const top = header('History', [model.lead]);
  if (model.noMachine) return [top, empty(model.noMachine)];
  const row = controls(
    ctx,
    [model.machine, model.caseSelect].filter((s) => s !== null),
    model.modes ? modeBoxes(ctx, model.modes) : null,
    model.scale ? picker(ctx, model.scale) : null,
  );
  if (model.empty) return [top, row, empty(model.empty)];
  return [
    top,
    row,
    model.chart ? historyChart(ctx, model.chart) : model.onlyOneRun ? empty(model.onlyOneRun) : null,
    model.summary ? h('p', { className: 'muted', data: { points: model.summary.points } }, model.summary.text) : null,
    recentTable(model.recent),
  ];
}
