/**
 * Scaling: speedup against threads per workload, one line per mode with its
 * 95% CI, and the ideal line; and an efficiency table (efficiency = t(1) / t(n)
 * for weak-scaling kernels, 100% = ideal). The curves and their CIs are the
 * server's (`GET /runs/:id/scaling`).
 *
 * URL state: `machine`, `run` (default: the newest run with threaded
 * benchmarks), `workload` (one workload, or all).
 */
import { hasScaling, type ScalingGroup, workloadKey } from '../analysis.ts';
import { chartBox, makeChart, modeColor } from '../charts.ts';
import { type Child, code, emptyState, h, select } from '../dom.ts';
import { formatNs, formatPercent, formatRatio, formatRatioCi } from '../format.ts';
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

function speedupChart(workload: string, groups: ScalingGroup[], index: number): HTMLElement {
  const maxThreads = Math.max(...groups.flatMap((g) => g.points.map((p) => p.threads)));
  const { figure, canvas } = chartBox(workload, { height: 260, id: `scaling-${index}` });
  makeChart(canvas, {
    type: 'lineWithErrorBars',
    data: {
      datasets: [
        ...groups.map((g, i) => ({
          label: modeName(g.mode),
          data: g.points.map((p) => ({ x: p.threads, y: p.speedup, yMin: p.ciLow, yMax: p.ciHigh })),
          borderColor: modeColor(g.mode, i),
          backgroundColor: modeColor(g.mode, i),
          errorBarColor: modeColor(g.mode, i),
          errorBarWhiskerColor: modeColor(g.mode, i),
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
      scales: {
        x: {
          type: 'linear',
          min: 1,
          max: maxThreads,
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
                  attrs: {
                    title: p
                      ? `${formatNs(p.medianNs)} per operation per thread; speedup ${formatRatioCi(p.speedup, p.ciLow, p.ciHigh)}`
                      : 'no usable result at this thread count',
                  },
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

export async function renderScaling(ctx: ViewContext): Promise<Child> {
  const header = [
    h('h1', {}, 'Scaling'),
    lead(
      'Each thread does the same work, so with t(n) the time at n threads, speedup = n · t(1) / t(n). ',
      'The dashed line is perfect scaling; bars are 95% CIs.',
    ),
  ];
  const machines = await ctx.api.machines();
  const machine = await resolveMachine(ctx, machines);
  if (!machine) return [header, noRunsYet()];
  const runs = await ctx.api.runs({ machine: machine.id });
  const controls = h('div', { className: 'controls' }, machinePicker(ctx, machines, machine));
  const info = await pickRun(ctx, runs, async (r) => hasScaling(await ctx.api.scaling(r.id)));
  if (!info)
    return [
      header,
      controls,
      emptyState('This machine has no run yet.', 'Measure the scaling suite on it: ', measureCommand('scaling'), '.'),
    ];
  controls.appendChild(runPicker(ctx, 'Run', 'run', runs, info.id));
  const groups = await ctx.api.scaling(info.id);
  if (groups.length === 0) {
    return [
      header,
      controls,
      emptyState(
        'This run has no threaded benchmark with a 1-thread result.',
        'Pick another run above, or measure the scaling suite on a machine with 2 or more cores: ',
        measureCommand('scaling'),
        '.',
      ),
    ];
  }
  const byWorkload = new Map<string, ScalingGroup[]>();
  for (const g of groups) {
    const key = workloadKey(g.suite, g.benchmark, g.params);
    byWorkload.set(key, [...(byWorkload.get(key) ?? []), g]);
  }
  // The scaling suite first: it is what this page is for; other threaded benchmarks follow.
  const workloads = [...byWorkload.keys()].sort(
    (a, b) => Number(!a.startsWith('scaling/')) - Number(!b.startsWith('scaling/')) || a.localeCompare(b),
  );
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
  const modes = info.modes.map((m) => m.id);
  return [
    header,
    controls,
    hasScaling(groups)
      ? null
      : emptyState(
          'Only 1 thread was measured.',
          'Scaling needs 2 or more usable cores: run the agent on a bigger machine, or try ',
          code('gilbench run --suite scaling --threads 1,2,4 --oversubscribe'),
          ' locally.',
        ),
    h(
      'div',
      { className: 'charts-grid' },
      shown.map((w, i) => speedupChart(w, byWorkload.get(w)!, i)),
    ),
    h('h2', {}, 'Efficiency'),
    efficiencyTable(new Map(shown.map((w) => [w, byWorkload.get(w)!])), modes),
  ];
}
