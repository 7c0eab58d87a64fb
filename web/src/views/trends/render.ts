/** Draws trends' model: one time chart per headline with CI bars and runtime marks, then the newest runs. */
import { chartBox, makeChart, markAnnotations, modeLine, ratioScale } from '../../charts.ts';
import { type Child, h } from '../../dom.ts';
import { formatRatio } from '../../format.ts';
import { plural } from '../shared/model.ts';
import { controls, empty, header, viewLink } from '../shared/render.ts';
import type { ViewContext } from '../types.ts';
import { TABLE_ROWS, type TrendChart, type TrendPoint, type TrendRow, type TrendsModel } from './model.ts';

function trendChart(model: TrendChart): HTMLElement {
  const { figure, canvas } = chartBox(model.title, { height: 280, id: `trend-${model.id}` });
  const values = model.lines.flatMap((l) => l.points.flatMap((p) => [p.y, p.yMin, p.yMax]));
  makeChart(canvas, {
    type: 'lineWithErrorBars',
    data: {
      datasets: model.lines.map((line) => ({
        ...modeLine(line),
        pointRadius: line.points.length > 200 ? 0 : 2.5,
        borderWidth: 1.5,
      })),
    },
    options: {
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      scales: {
        x: {
          type: 'time',
          time: { tooltipFormat: 'yyyy-MM-dd HH:mm' },
          ticks: { maxRotation: 0, autoSkipPadding: 16 },
          title: { display: true, text: 'run start (your time zone)' },
        },
        y: ratioScale(values, model.axisTitle),
      },
      plugins: {
        legend: { display: model.lines.length > 1, position: 'bottom', labels: { boxWidth: 14 } },
        annotation: {
          annotations: {
            ...markAnnotations(model.marks),
            one: { type: 'line', yMin: 1, yMax: 1, borderColor: '#868e96', borderDash: [4, 4], borderWidth: 1 },
          },
        },
        tooltip: {
          callbacks: {
            label: (item: { dataset: { label?: string }; raw: TrendPoint }) =>
              `${item.dataset.label}: ${formatRatio(item.raw.y)} [${formatRatio(item.raw.yMin)}, ${formatRatio(item.raw.yMax)}]`,
            afterLabel: (item: { raw: TrendPoint }) => item.raw.note,
          },
        },
      },
    },
  } as never);
  return figure;
}

const COLUMNS: Array<[keyof TrendRow, string, boolean]> = [
  ['started', 'run', false],
  ['profile', 'profile', false],
  ['unstable', 'unstable', true],
  ['overhead', 'single-thread nogil/gil', true],
  ['memory', 'memory', true],
  ['scaling', 'scaling vs gil', true],
  ['calls', 'calls nogil/gil', true],
  ['lockGil', 'Lock cost gil', true],
  ['lockNogil', 'Lock cost nogil', true],
];

function runsTable(model: TrendsModel): HTMLElement {
  const machine = model.machineId;
  const shown = model.rows.slice(0, TABLE_ROWS);
  return h(
    'div',
    { className: 'table-wrap' },
    h(
      'table',
      { data: { table: 'trends' } },
      h(
        'caption',
        { className: 'muted' },
        `The newest ${plural(shown.length, 'run')} of ${model.rows.length} (all of them in this view’s data below); 95% CI in brackets.`,
      ),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          COLUMNS.map(([, label, num]) => h('th', { className: num ? 'num' : '', attrs: { scope: 'col' } }, label)),
        ),
      ),
      h(
        'tbody',
        {},
        shown.map((r) =>
          h(
            'tr',
            { data: { run: r.runId } },
            COLUMNS.map(([key, , num]) =>
              h(
                'td',
                {
                  className: num ? 'num' : '',
                  data: { col: key },
                  attrs: key === 'started' ? { title: r.runtimes } : {},
                },
                key === 'started' ? viewLink('machines', { machine, run: r.runId }, r.started) : r[key],
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

export function renderTrends(model: TrendsModel, ctx: ViewContext): Child {
  const top = header('Trends', [model.lead]);
  if (model.noMachine) return [top, empty(model.noMachine)];
  const row = controls(ctx, model.controls);
  if (model.empty) return [top, row, empty(model.empty)];
  const machine = model.machineId;
  return [
    top,
    row,
    model.notice
      ? h('p', { className: 'notice', attrs: { role: 'note' }, data: { notice: 'caveat' } }, model.notice)
      : null,
    model.note ? h('p', { className: 'muted', data: { note: 'trend' } }, model.note) : null,
    model.runtimeChanges.length
      ? h(
          'ul',
          { className: 'muted', data: { list: 'runtime-changes' } },
          model.runtimeChanges.map((c) =>
            h('li', {}, `${c.text} at `, viewLink('machines', { machine, run: c.runId }, c.when)),
          ),
        )
      : null,
    h('div', { className: 'charts-grid' }, model.charts.map(trendChart)),
    runsTable(model),
  ];
}
