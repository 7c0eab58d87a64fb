/**
 * Scaling: speedup against threads per workload, one line per mode, with
 * the ideal line; and an efficiency table (efficiency = t(1) / t(n) for
 * weak-scaling kernels, 100% = ideal).
 *
 * URL state: `machine`, `run`, `workload` (one workload, or all), `suite`.
 */
import { type ScalingGroup, scalingGroups, workloadKey } from '../analysis.ts';
import type { RunDetail } from '../api.ts';
import { chartBox, makeChart, modeColor } from '../charts.ts';
import { type Child, code, emptyState, h, select } from '../dom.ts';
import { formatNs, formatPercent } from '../format.ts';
import { lead, machinePicker, modeName, noRunsYet, pickMachine, runPicker, type ViewContext } from './common.ts';

function speedupChart(workload: string, groups: ScalingGroup[], index: number): HTMLElement {
  const maxThreads = Math.max(...groups.flatMap((g) => g.points.map((p) => p.threads)));
  const { figure, canvas } = chartBox(workload, { height: 260, id: `scaling-${index}` });
  makeChart(canvas, {
    type: 'line',
    data: {
      datasets: [
        ...groups.map((g, i) => ({
          label: modeName(g.mode),
          data: g.points.map((p) => ({ x: p.threads, y: p.speedup })),
          borderColor: modeColor(g.mode, i),
          backgroundColor: modeColor(g.mode, i),
          pointRadius: 3,
        })),
        {
          label: 'ideal',
          data: [
            { x: 1, y: 1 },
            { x: maxThreads, y: maxThreads },
          ],
          borderColor: '#868e96',
          borderDash: [5, 5],
          pointRadius: 0,
        },
      ],
    },
    options: {
      parsing: false,
      scales: {
        x: {
          type: 'linear',
          min: 1,
          max: maxThreads,
          ticks: { stepSize: 1 },
          title: { display: true, text: 'threads' },
        },
        y: { type: 'linear', min: 0, title: { display: true, text: 'speedup over 1 thread' } },
      },
    },
  } as never);
  return figure;
}

function efficiencyTable(byWorkload: Map<string, ScalingGroup[]>, modes: string[]): HTMLElement {
  const threadCounts = [
    ...new Set([...byWorkload.values()].flat().flatMap((g) => g.points.map((p) => p.threads))),
  ].sort((a, b) => a - b);
  const head = h(
    'tr',
    {},
    h('th', { attrs: { scope: 'col' } }, 'workload'),
    h('th', { attrs: { scope: 'col' } }, 'mode'),
    h('th', { className: 'num', attrs: { scope: 'col' } }, '1 thread'),
    threadCounts
      .filter((n) => n > 1)
      .map((n) => h('th', { className: 'num', attrs: { scope: 'col' } }, `${n} threads`)),
  );
  const rows: HTMLElement[] = [];
  for (const [workload, groups] of byWorkload) {
    for (const mode of modes) {
      const g = groups.find((x) => x.mode === mode);
      if (!g) continue;
      const at = (n: number) => g.points.find((p) => p.threads === n);
      rows.push(
        h(
          'tr',
          { data: { workload, mode } },
          h('td', { className: 'name' }, workload),
          h('td', {}, modeName(mode)),
          h('td', { className: 'num' }, formatNs(at(1)?.medianNs)),
          threadCounts
            .filter((n) => n > 1)
            .map((n) => {
              const p = at(n);
              return h(
                'td',
                {
                  className: 'num',
                  attrs: { title: p ? `${formatNs(p.medianNs)} per op, speedup ${p.speedup.toFixed(2)}` : '' },
                },
                p ? formatPercent(p.efficiency, 0) : '–',
              );
            }),
        ),
      );
    }
  }
  return h(
    'div',
    { className: 'table-wrap' },
    h(
      'table',
      { data: { table: 'efficiency' } },
      h('caption', { className: 'muted' }, '1 thread: ns per operation; more threads: efficiency t(1)/t(n)'),
      h('thead', {}, head),
      h('tbody', {}, rows),
    ),
  );
}

export async function renderScaling(ctx: ViewContext): Promise<Child> {
  const header = [
    h('h1', {}, 'Scaling'),
    lead('Each thread does the same work; speedup = n · t(1) / t(n). The dashed line is perfect scaling.'),
  ];
  const machines = await ctx.api.machines();
  const machine = pickMachine(ctx, machines);
  if (!machine) return [header, noRunsYet()];
  const runs = await ctx.api.runs({ machine: machine.id });
  const info = runs.find((r) => r.id === ctx.params.get('run')) ?? runs[0];
  const controls = h('div', { className: 'controls' }, machinePicker(ctx, machines, machine));
  if (!info)
    return [header, controls, emptyState('This machine has no run yet.', 'Upload a run of the scaling suite.')];
  controls.appendChild(runPicker(ctx, 'Run', 'run', runs, info.id));
  const run: RunDetail = await ctx.api.run(info.id);
  const groups = scalingGroups(run.results);
  if (groups.length === 0) {
    return [
      header,
      controls,
      emptyState(
        'This run has no threaded benchmark with a 1-thread result.',
        'Run ',
        code('gilbench run --suite scaling --mode gil,nogil'),
        ' on a machine with 2 or more cores.',
      ),
    ];
  }
  const byWorkload = new Map<string, ScalingGroup[]>();
  for (const g of groups) {
    const key = workloadKey(g.suite, g.benchmark, g.params);
    byWorkload.set(key, [...(byWorkload.get(key) ?? []), g]);
  }
  const workloads = [...byWorkload.keys()].sort();
  const wanted = ctx.params.get('workload');
  controls.appendChild(
    select(
      'Workload',
      [{ value: '', label: `all (${workloads.length})` }, ...workloads.map((w) => ({ value: w, label: w }))],
      wanted && byWorkload.has(wanted) ? wanted : '',
      (value) => ctx.setParams({ workload: value || undefined }),
      'workload',
    ),
  );
  const shown = wanted && byWorkload.has(wanted) ? [wanted] : workloads;
  const modes = run.modes.map((m) => m.id);
  const onlyOneThread = groups.every((g) => g.points.length < 2);
  return [
    header,
    controls,
    onlyOneThread
      ? emptyState(
          'Only 1 thread was measured.',
          'Scaling needs 2 or more usable cores; run on a bigger machine or pass ',
          code('--threads 1,2,4 --oversubscribe'),
          '.',
        )
      : null,
    h(
      'div',
      { className: 'charts-grid' },
      shown.map((w, i) => speedupChart(w, byWorkload.get(w)!, i)),
    ),
    h('h2', {}, 'Efficiency'),
    efficiencyTable(new Map(shown.map((w) => [w, byWorkload.get(w)!])), modes),
  ];
}
