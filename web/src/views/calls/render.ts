/** Draws calls and locks' model: a line chart per call kind and per locks benchmark. */
import { chartBox, makeChart, modeLine } from '../../charts.ts';
import { type Child, h } from '../../dom.ts';
import { formatNs } from '../../format.ts';
import { collapsible, controls, empty, header } from '../shared/render.ts';
import type { ViewContext } from '../types.ts';
import type { CallsModel, LineChartModel } from './model.ts';

/** Line styles per lock kind, so colour stays the mode's. */
const LOCK_DASH: Record<string, number[]> = { none: [], lock: [6, 4], rlock: [2, 3], private: [12, 4] };
const LOCK_POINT: Record<string, string> = { none: 'circle', lock: 'rectRot', rlock: 'triangle', private: 'rect' };

function lineChart(model: LineChartModel): HTMLElement {
  const { figure, canvas } = chartBox(model.title, { height: 280, id: model.id });
  makeChart(canvas, {
    type: 'lineWithErrorBars',
    data: {
      datasets: model.lines.map((line) => ({
        ...modeLine(line),
        borderDash: LOCK_DASH[line.lock] ?? [8, 2, 2, 2],
        pointStyle: LOCK_POINT[line.lock] ?? 'star',
      })),
    },
    options: {
      scales: {
        x: { type: 'linear', ticks: { stepSize: 1 }, title: { display: true, text: model.xLabel } },
        // A CI reaching below 0 (a noisy, tiny median) must not pull the axis under 0 ns.
        y: {
          type: 'linear',
          min: 0,
          title: { display: true, text: model.yLabel },
          ticks: { callback: (v: number | string) => formatNs(Number(v)) },
        },
      },
      plugins: {
        legend: { position: 'bottom', labels: { boxWidth: 14, font: { size: 11 } } },
        tooltip: {
          callbacks: {
            label: (item: { dataset: { label?: string }; raw: { y: number; yMin: number; yMax: number } }) =>
              `${item.dataset.label}: ${formatNs(item.raw.y)} [${formatNs(item.raw.yMin)}, ${formatNs(item.raw.yMax)}]`,
          },
        },
      },
    },
  } as never);
  return figure;
}

/** A chart's section: closed to its headline unless opened; the chart is drawn only when open. */
function section(ctx: ViewContext, model: CallsModel, chart: LineChartModel): HTMLElement {
  const openKeys = [...model.calls, ...model.locks].filter((c) => c.open).map((c) => c.id);
  const summary = [h('strong', {}, chart.title), h('span', { className: 'muted small' }, ` · ${chart.summary}`)];
  return collapsible(ctx, { key: chart.id, open: chart.open, summary }, openKeys, () => lineChart(chart));
}

export function renderCalls(model: CallsModel, ctx: ViewContext): Child {
  const top = header('Calls and locks', [model.lead]);
  if (model.noMachine) return [top, empty(model.noMachine)];
  const row = controls(ctx, model.controls);
  if (model.empty) return [top, row, empty(model.empty)];
  return [
    top,
    row,
    h('h2', {}, 'Calls'),
    model.calls.length ? model.calls.map((c) => section(ctx, model, c)) : empty(model.noCalls),
    h('h2', {}, 'Locks'),
    model.locks.length ? model.locks.map((c) => section(ctx, model, c)) : empty(model.noLocks),
  ];
}
