/** Draws scaling's model: a speedup chart per workload and the efficiency table. */
import { chartBox, makeChart, modeLine } from '../../charts.ts';
import { type Child, h } from '../../dom.ts';
import { formatRatio } from '../../format.ts';
import { controls, empty, header } from '../shared/render.ts';
import type { ViewContext } from '../types.ts';
import type { ScalingModel, SpeedupChart, ThroughputChart } from './model.ts';

/** A chart over thread counts: one line per mode, and a dashed reference line. */
function threadsChart(
  model: SpeedupChart | ThroughputChart,
  reference: { label: string; at: (threads: number) => number },
  yTitle: string,
  describe: (ratio: string, threads: number) => string,
): HTMLElement {
  const { figure, canvas } = chartBox(model.title, { height: 260, id: model.id });
  makeChart(canvas, {
    type: 'lineWithErrorBars',
    data: {
      datasets: [
        ...model.lines.map((line) => ({ ...modeLine(line), pointRadius: 3 })),
        {
          label: reference.label,
          data: [
            { x: 1, y: reference.at(1) },
            { x: model.maxThreads, y: reference.at(model.maxThreads) },
          ],
          borderColor: '#868e96',
          borderDash: [5, 5],
          pointRadius: 0,
        },
      ],
    },
    options: {
      scales: {
        x: {
          type: 'linear',
          min: 1,
          max: model.maxThreads,
          ticks: { stepSize: 1 },
          title: { display: true, text: 'threads' },
        },
        y: { type: 'linear', min: 0, title: { display: true, text: yTitle } },
      },
      plugins: {
        legend: { position: 'bottom', labels: { boxWidth: 14 } },
        tooltip: {
          callbacks: {
            label: (item: { dataset: { label?: string }; parsed: { x: number; y: number } }) =>
              `${item.dataset.label}: ${describe(formatRatio(item.parsed.y), item.parsed.x)}`,
          },
        },
      },
    },
  } as never);
  return figure;
}

const speedupChart = (model: SpeedupChart) =>
  threadsChart(
    model,
    { label: 'ideal', at: (threads) => threads },
    'speedup over 1 thread',
    (ratio, threads) => `${ratio} at ${threads} threads`,
  );

const throughputChart = (model: ThroughputChart) =>
  threadsChart(
    model,
    { label: 'gil on 1 thread', at: () => 1 },
    'work per second ÷ gil on 1 thread',
    (ratio, threads) => `${ratio} the work of gil on 1 thread, at ${threads} threads`,
  );

function throughputTable(model: ScalingModel): HTMLElement {
  const head = h(
    'tr',
    {},
    h('th', { attrs: { scope: 'col' } }, 'workload'),
    h('th', { attrs: { scope: 'col' } }, 'mode'),
    model.threadCounts.map((n) =>
      h('th', { className: 'num', attrs: { scope: 'col' } }, `${n} thread${n > 1 ? 's' : ''}`),
    ),
  );
  const rows = model.throughputRows.map((r) =>
    h(
      'tr',
      { data: { workload: r.workload, mode: r.modeId } },
      h('td', { className: 'name' }, r.workload),
      h('td', {}, r.mode),
      r.cells.map((c) =>
        h('td', { className: 'num', attrs: { title: c.title }, data: { threads: String(c.threads) } }, c.text),
      ),
    ),
  );
  return h(
    'div',
    { className: 'table-wrap' },
    h(
      'table',
      { data: { table: 'throughput' } },
      h(
        'caption',
        { className: 'muted' },
        'Work per second against gil on 1 thread, n · t_gil(1) / t_mode(n), with its 95% CI: above 1× = more work done than the GIL build on one thread.',
      ),
      h('thead', {}, head),
      h('tbody', {}, rows),
    ),
  );
}

function efficiencyTable(model: ScalingModel): HTMLElement {
  const head = h(
    'tr',
    {},
    h('th', { attrs: { scope: 'col' } }, 'workload'),
    h('th', { attrs: { scope: 'col' } }, 'mode'),
    model.threadCounts
      .filter((n) => n > 1)
      .map((n) => h('th', { className: 'num', attrs: { scope: 'col' } }, `${n} threads`)),
  );
  const rows = model.rows.map((r) =>
    h(
      'tr',
      { data: { workload: r.workload, mode: r.modeId } },
      h('td', { className: 'name' }, r.workload),
      h('td', {}, r.mode),
      r.cells.map((c) => h('td', { className: 'num', attrs: { title: c.title } }, c.text)),
    ),
  );
  return h(
    'div',
    { className: 'table-wrap' },
    h(
      'table',
      { data: { table: 'efficiency' } },
      h('caption', { className: 'muted' }, model.efficiencyNote),
      h('thead', {}, head),
      h('tbody', {}, rows),
    ),
  );
}

export function renderScaling(model: ScalingModel, ctx: ViewContext): Child {
  const top = header('Scaling', model.lead);
  if (model.noMachine) return [top, empty(model.noMachine)];
  const row = controls(ctx, model.controls);
  if (model.empty) return [top, row, empty(model.empty)];
  return [
    top,
    row,
    model.oneThread ? empty(model.oneThread) : null,
    h(
      'div',
      { className: 'charts-grid' },
      model.charts.map((c) => {
        const against = model.throughputCharts.find((t) => t.workload === c.title);
        return [speedupChart(c), against ? throughputChart(against) : null];
      }),
    ),
    h('h2', {}, 'Against gil on 1 thread'),
    throughputTable(model),
    h('h2', {}, 'Efficiency (self-relative)'),
    efficiencyTable(model),
  ];
}
