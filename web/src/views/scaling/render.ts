/** Draws scaling's model: a speedup chart per workload and the efficiency table. */
import { chartBox, makeChart, modeColor } from '../../charts.ts';
import { type Child, h } from '../../dom.ts';
import { formatRatio } from '../../format.ts';
import { controls, empty, header } from '../shared/render.ts';
import type { ViewContext } from '../types.ts';
import type { ScalingModel, SpeedupChart } from './model.ts';

function speedupChart(model: SpeedupChart): HTMLElement {
  const { figure, canvas } = chartBox(model.title, { height: 260, id: model.id });
  makeChart(canvas, {
    type: 'lineWithErrorBars',
    data: {
      datasets: [
        ...model.lines.map((line) => {
          const color = modeColor(line.mode, line.index);
          return {
            label: line.label,
            data: line.points,
            borderColor: color,
            backgroundColor: color,
            errorBarColor: color,
            errorBarWhiskerColor: color,
            pointRadius: 3,
          };
        }),
        {
          label: 'ideal',
          data: [
            { x: 1, y: 1 },
            { x: model.maxThreads, y: model.maxThreads },
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
        y: {
          type: 'linear',
          min: 0,
          title: { display: true, text: 'speedup over 1 thread' },
        },
      },
      plugins: {
        legend: { position: 'bottom', labels: { boxWidth: 14 } },
        tooltip: {
          callbacks: {
            label: (item: { dataset: { label?: string }; parsed: { x: number; y: number } }) =>
              `${item.dataset.label}: ${formatRatio(item.parsed.y)} at ${item.parsed.x} threads`,
          },
        },
      },
    },
  } as never);
  return figure;
}

function efficiencyTable(model: ScalingModel): HTMLElement {
  const head = h(
    'tr',
    {},
    h('th', { attrs: { scope: 'col' } }, 'workload'),
    h('th', { attrs: { scope: 'col' } }, 'mode'),
    h('th', { className: 'num', attrs: { scope: 'col' } }, '1 thread'),
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
      h('td', { className: 'num' }, r.oneThread),
      r.cells.map((c) => h('td', { className: 'num', attrs: { title: c.title } }, c.text)),
    ),
  );
  return h(
    'div',
    { className: 'table-wrap' },
    h(
      'table',
      { data: { table: 'efficiency' } },
      h(
        'caption',
        { className: 'muted' },
        '1 thread: ns per operation. 2 or more threads: efficiency t(1) / t(n); 100% = perfect scaling, 50% at 2 threads = no gain. Hover a cell for the speedup and its CI.',
      ),
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
    h('div', { className: 'charts-grid' }, model.charts.map(speedupChart)),
    h('h2', {}, 'Efficiency'),
    efficiencyTable(model),
  ];
}
