/** Draws scaling's model: a speedup chart per workload and the efficiency table. */
import { chartBox, makeChart, modeLine } from '../../charts.ts';
import { type Child, h } from '../../dom.ts';
import { formatRatio } from '../../format.ts';
import { collapsible, controls, empty, header } from '../shared/render.ts';
import type { ViewContext } from '../types.ts';
import type { ScalingModel, ScalingSection, SpeedupChart, ThroughputChart } from './model.ts';

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

function throughputTable(model: ScalingModel, workloads: ReadonlySet<string>): HTMLElement {
  const head = h(
    'tr',
    {},
    h('th', { attrs: { scope: 'col' } }, 'workload'),
    h('th', { attrs: { scope: 'col' } }, 'mode'),
    model.threadCounts.map((n) =>
      h('th', { className: 'num', attrs: { scope: 'col' } }, `${n} thread${n > 1 ? 's' : ''}`),
    ),
  );
  const rows = model.throughputRows
    .filter((r) => workloads.has(r.workload))
    .map((r) =>
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

function efficiencyTable(model: ScalingModel, workloads: ReadonlySet<string>): HTMLElement {
  const head = h(
    'tr',
    {},
    h('th', { attrs: { scope: 'col' } }, 'workload'),
    h('th', { attrs: { scope: 'col' } }, 'mode'),
    model.threadCounts
      .filter((n) => n > 1)
      .map((n) => h('th', { className: 'num', attrs: { scope: 'col' } }, `${n} threads`)),
  );
  const rows = model.rows
    .filter((r) => workloads.has(r.workload))
    .map((r) =>
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

/** A benchmark's section: its charts and tables are made only when it is open. */
function section(model: ScalingModel, s: ScalingSection, ctx: ViewContext): HTMLElement {
  const openKeys = model.sections.filter((x) => x.open).map((x) => x.key);
  const workloads = new Set(s.workloads);
  return collapsible(
    ctx,
    { key: s.key, open: s.open, summary: [h('strong', {}, s.key), ` · ${s.summary}`] },
    openKeys,
    () => [
      h(
        'div',
        { className: 'charts-grid' },
        model.charts
          .filter((c) => workloads.has(c.title))
          .map((c) => {
            const against = model.throughputCharts.find((t) => t.workload === c.title);
            return [speedupChart(c), against ? throughputChart(against) : null];
          }),
      ),
      h('h3', {}, 'Against gil on 1 thread'),
      throughputTable(model, workloads),
      h('h3', {}, 'Efficiency (self-relative)'),
      efficiencyTable(model, workloads),
    ],
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
    h('p', { className: 'muted small' }, 'One section per benchmark; open one to draw its charts and tables.'),
    model.sections.map((s) => section(model, s, ctx)),
  ];
}
