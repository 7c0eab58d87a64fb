/**
 * Calls and locks: ns per call against arity per mode (one chart per call
 * kind), and read cost against threads, with a lock against without, per
 * mode (one chart per locks benchmark). Error bars are the medians' 95% CIs.
 *
 * URL state: `machine`, `run` (default: the newest run with calls or locks).
 */
import { linesOver, type XYLine } from '../analysis.ts';
import type { ResultRow } from '../api.ts';
import { chartBox, makeChart, modeColor } from '../charts.ts';
import { type Child, emptyState, h } from '../dom.ts';
import { formatNs } from '../format.ts';
import {
  lead,
  machinePicker,
  measureCommand,
  modeName,
  noRunsYet,
  pickRun,
  resolveMachine,
  runPicker,
  type ViewContext,
} from './common.ts';

/** Line styles per lock kind, so colour stays the mode's. */
const LOCK_DASH: Record<string, number[]> = { none: [], lock: [6, 4], rlock: [2, 3], private: [12, 4] };
const LOCK_POINT: Record<string, string> = { none: 'circle', lock: 'rectRot', rlock: 'triangle', private: 'rect' };

function lineChart(title: string, id: string, lines: XYLine[], xLabel: string, yLabel: string): HTMLElement {
  const { figure, canvas } = chartBox(title, { height: 280, id });
  makeChart(canvas, {
    type: 'lineWithErrorBars',
    data: {
      datasets: lines.map((line, i) => {
        const lock = line.params.lock === undefined ? 'none' : String(line.params.lock);
        return {
          label: line.label,
          data: line.points.map((p) => ({ x: p.x, y: p.y, yMin: p.low, yMax: p.high })),
          borderColor: modeColor(line.mode, i),
          backgroundColor: modeColor(line.mode, i),
          errorBarColor: modeColor(line.mode, i),
          errorBarWhiskerColor: modeColor(line.mode, i),
          borderDash: LOCK_DASH[lock] ?? [8, 2, 2, 2],
          pointStyle: LOCK_POINT[lock] ?? 'star',
        };
      }),
    },
    options: {
      scales: {
        x: { type: 'linear', ticks: { stepSize: 1 }, title: { display: true, text: xLabel } },
        // A CI reaching below 0 (a noisy, tiny median) must not pull the axis under 0 ns.
        y: {
          type: 'linear',
          min: 0,
          title: { display: true, text: yLabel },
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

/** Results per benchmark; `splitBy` parameters (e.g. `writer`) make separate charts. */
function byBenchmark(
  results: readonly ResultRow[],
  filter: (r: ResultRow) => boolean,
  splitBy: string[] = [],
): Map<string, ResultRow[]> {
  const map = new Map<string, ResultRow[]>();
  for (const r of results) {
    if (!filter(r)) continue;
    const split = splitBy.filter((p) => p in r.params).map((p) => `${p}=${String(r.params[p])}`);
    const key = `${r.suite}/${r.benchmark}${split.length ? ` (${split.join(', ')})` : ''}`;
    map.set(key, [...(map.get(key) ?? []), r]);
  }
  return map;
}

export async function renderCalls(ctx: ViewContext): Promise<Child> {
  const header = [
    h('h1', {}, 'Calls and locks'),
    lead('What a call costs by number of arguments, and what a lock costs readers as threads are added, in each mode.'),
  ];
  const machines = await ctx.api.machines();
  const machine = await resolveMachine(ctx, machines);
  if (!machine) return [header, noRunsYet()];
  const runs = await ctx.api.runs({ machine: machine.id });
  const info = await pickRun(ctx, runs, async (r) =>
    (await ctx.api.run(r.id)).results.some((x) => 'arity' in x.params || x.suite === 'locks'),
  );
  const controls = h('div', { className: 'controls' }, machinePicker(ctx, machines, machine));
  if (!info)
    return [
      header,
      controls,
      emptyState(
        'This machine has no run yet.',
        'Measure the calls and locks suites on it: ',
        measureCommand('calls,locks'),
        '.',
      ),
    ];
  controls.appendChild(runPicker(ctx, 'Run', 'run', runs, info.id));
  const run = await ctx.api.run(info.id);

  const callCharts: HTMLElement[] = [];
  let i = 0;
  for (const [name, rows] of byBenchmark(run.results, (r) => 'arity' in r.params)) {
    const lines = linesOver(rows, 'arity', (r) => !('threads' in r.params) || Number(r.params.threads) === 1);
    if (lines.length)
      callCharts.push(
        lineChart(
          `${name}: ns per call by arity`,
          `calls-${i++}`,
          lines.map((l) => ({ ...l, label: labelOf(l) })),
          'arguments (arity)',
          'ns per call',
        ),
      );
  }
  const lockCharts: HTMLElement[] = [];
  for (const [name, rows] of byBenchmark(run.results, (r) => r.suite === 'locks' && 'threads' in r.params, [
    'writer',
  ])) {
    const lines = linesOver(
      rows.map((r) => ({ ...r, params: withoutKey(r.params, 'writer') })),
      'threads',
    );
    if (lines.length)
      lockCharts.push(
        lineChart(
          `${name}: ns per read by threads`,
          `locks-${i++}`,
          lines.map((l) => ({ ...l, label: labelOf(l) })),
          'threads',
          'ns per read (each thread)',
        ),
      );
  }
  return [
    header,
    controls,
    h('h2', {}, 'Calls'),
    callCharts.length
      ? h('div', { className: 'charts-grid' }, callCharts)
      : emptyState(
          'This run has no benchmark with an arity parameter.',
          'Pick another run above, or measure the calls suite: ',
          measureCommand('calls'),
          '.',
        ),
    h('h2', {}, 'Locks'),
    lockCharts.length
      ? h('div', { className: 'charts-grid' }, lockCharts)
      : emptyState(
          'This run has no locks suite.',
          'Pick another run above, or measure the locks suite: ',
          measureCommand('locks'),
          '.',
        ),
  ];
}

function withoutKey(params: ResultRow['params'], key: string): ResultRow['params'] {
  const { [key]: _dropped, ...rest } = params;
  return rest;
}

function labelOf(line: XYLine): string {
  const rest = Object.entries(line.params)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');
  return `${modeName(line.mode)}${rest ? ` · ${rest}` : ''}`;
}
