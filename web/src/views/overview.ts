/**
 * Overview: per machine, the latest run's headlines, each linking to its
 * detail: single-thread overhead nogil/gil (geometric mean with CI), memory
 * ratio, scaling efficiency at the most threads, the worst-scaling
 * workloads, call overhead at arity 0 and 4, and open regressions.
 */
import { geometricMeanOf, memoryRatio, scalingGroups, worstScaling } from '../analysis.ts';
import type { ComparisonView, MachineInfo, ModeRef, RunDetail } from '../api.ts';
import { chartBox, makeChart, modeColor } from '../charts.ts';
import { type Child, code, emptyState, h } from '../dom.ts';
import { formatAgo, formatNs, formatPercent, formatRatio, formatTime } from '../format.ts';
import { findMode, lead, machineLabel, modeName, noRunsYet, type ViewContext, viewLink } from './common.ts';

function card(title: string, value: Child, detail: Child, link?: HTMLAnchorElement, testId?: string): HTMLElement {
  return h(
    'section',
    { className: 'card', data: { card: testId } },
    h('h3', {}, title),
    h('div', { className: 'big' }, value),
    h('div', { className: 'muted' }, detail),
    link ? h('div', {}, link) : null,
  );
}

function headlineModes(run: RunDetail): { gil?: ModeRef; nogil?: ModeRef } {
  return { gil: findMode(run.modes, 'gil'), nogil: findMode(run.modes, 'nogil') };
}

function overheadCard(machine: MachineInfo, run: RunDetail, comparison: ComparisonView | null): HTMLElement {
  const { gil, nogil } = headlineModes(run);
  const link = viewLink(
    'compare',
    { machine: machine.id, run: run.id, base: gil?.id, other: nogil?.id, suite: 'single-thread' },
    'compare table →',
  );
  if (!gil || !nogil) {
    return card(
      'Single-thread overhead nogil/gil',
      '–',
      `the latest run lacks ${gil ? 'nogil' : 'gil'}; run with --mode gil,nogil`,
      undefined,
      'overhead',
    );
  }
  const suite = comparison?.suites.find((s) => s.suite === 'single-thread');
  const gm = suite?.geometricMean ?? comparison?.geometricMean ?? null;
  if (!gm) return card('Single-thread overhead nogil/gil', '–', 'no case measured in both modes', link, 'overhead');
  const scope = suite ? 'single-thread suite' : 'all suites (no single-thread suite in this run)';
  return card(
    'Single-thread overhead nogil/gil',
    formatRatio(gm.value),
    `95% CI [${gm.ciLow.toFixed(3)}, ${gm.ciHigh.toFixed(3)}], geometric mean of ${gm.count} cases, ${scope}`,
    link,
    'overhead',
  );
}

function memoryCard(machine: MachineInfo, run: RunDetail): HTMLElement {
  const { gil, nogil } = headlineModes(run);
  if (!gil || !nogil) return card('Memory nogil/gil', '–', 'needs both modes in one run', undefined, 'memory');
  const ratio = memoryRatio(run.results, gil.id, nogil.id);
  return card(
    'Memory nogil/gil',
    formatRatio(ratio.value),
    ratio.count ? `peak RSS, geometric mean of ${ratio.count} cases` : 'no peak RSS recorded',
    viewLink('compare', { machine: machine.id, run: run.id, base: gil.id, other: nogil.id }, 'per case →'),
    'memory',
  );
}

function scalingCards(machine: MachineInfo, run: RunDetail): HTMLElement[] {
  const groups = scalingGroups(run.results);
  const link = viewLink('scaling', { machine: machine.id, run: run.id }, 'scaling charts →');
  if (groups.length === 0) {
    return [
      card(
        'Scaling efficiency',
        '–',
        h('span', {}, 'no threaded benchmark in this run; try ', code('--suite scaling')),
        undefined,
        'scaling',
      ),
    ];
  }
  const perMode = run.modes
    .map((m) => {
      const rows = worstScaling(groups, m.id);
      return { mode: m, rows, mean: geometricMeanOf(rows.map((r) => r.efficiency)) };
    })
    .filter((x) => x.rows.length > 0);
  if (perMode.length === 0)
    return [
      card(
        'Scaling efficiency',
        '–',
        'only 1 thread was measured; run on a machine with 2 or more cores',
        link,
        'scaling',
      ),
    ];
  const threads = Math.max(...perMode.flatMap((x) => x.rows.map((r) => r.threads)));
  const focus = perMode.find((x) => x.mode.mode === 'nogil') ?? perMode[0]!;
  const efficiency = card(
    `Scaling efficiency at ${threads} threads`,
    h(
      'span',
      {},
      perMode.map((x, i) => [
        i ? ' · ' : '',
        h('span', { attrs: { title: x.mode.id } }, `${x.mode.mode} ${formatPercent(x.mean, 0)}`),
      ]),
    ),
    `geometric mean over ${focus.rows.length} workloads (100% = ideal)`,
    link,
    'scaling',
  );
  const worst = card(
    `Worst scaling (${focus.mode.mode})`,
    h('span', {}, formatPercent(focus.rows[0]?.efficiency ?? null, 0)),
    h(
      'ol',
      {},
      focus.rows
        .slice(0, 3)
        .map((r) =>
          h(
            'li',
            {},
            viewLink('scaling', { machine: machine.id, run: run.id, workload: r.workload }, r.workload),
            ` ${formatPercent(r.efficiency, 0)} at ${r.threads} threads`,
          ),
        ),
    ),
    undefined,
    'worst-scaling',
  );
  return [efficiency, worst];
}

function callsCard(machine: MachineInfo, run: RunDetail): HTMLElement {
  const calls = run.results.filter((r) => 'arity' in r.params && r.status === 'ok' && r.stats);
  const link = viewLink('calls', { machine: machine.id, run: run.id }, 'calls and locks →');
  if (calls.length === 0)
    return card(
      'Call overhead',
      '–',
      h('span', {}, 'no calls suite in this run; add ', code('--suite calls')),
      undefined,
      'calls',
    );
  const cell = (mode: ModeRef, arity: number) => {
    const rows = calls.filter(
      (r) =>
        r.mode === mode.id &&
        Number(r.params.arity) === arity &&
        !('threads' in r.params && Number(r.params.threads) !== 1),
    );
    return geometricMeanOf(rows.map((r) => r.stats!.median));
  };
  return card(
    'Call overhead, ns per call',
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'mode'),
          h('th', { className: 'num' }, 'arity 0'),
          h('th', { className: 'num' }, 'arity 4'),
        ),
      ),
      h(
        'tbody',
        {},
        run.modes.map((m) =>
          h(
            'tr',
            {},
            h('td', {}, m.mode),
            h('td', { className: 'num' }, formatNs(cell(m, 0))),
            h('td', { className: 'num' }, formatNs(cell(m, 4))),
          ),
        ),
      ),
    ),
    'geometric mean over call kinds',
    link,
    'calls',
  );
}

function regressionsCard(machine: MachineInfo): HTMLElement {
  return card(
    'Open regressions',
    String(machine.openRegressions),
    machine.openRegressions ? 'status new: waiting for a look' : 'nothing open',
    viewLink('regressions', { machine: machine.id, status: 'new' }, 'regressions →'),
    'regressions',
  );
}

function overheadChart(comparison: ComparisonView): HTMLElement | null {
  const suites = comparison.suites.filter((s) => s.geometricMean);
  if (suites.length === 0) return null;
  const { figure, canvas } = chartBox(
    `${modeName(comparison.other.mode.id)} / ${modeName(comparison.base.mode.id)} by suite (geometric mean, 95% CI)`,
    {
      height: Math.max(140, 40 + suites.length * 34),
      id: 'overview-suites',
    },
  );
  makeChart(canvas, {
    type: 'barWithErrorBars',
    data: {
      labels: suites.map((s) => s.suite),
      datasets: [
        {
          label: 'ratio',
          data: suites.map((s) => ({
            x: s.geometricMean!.value,
            xMin: s.geometricMean!.ciLow,
            xMax: s.geometricMean!.ciHigh,
          })),
          backgroundColor: modeColor(comparison.other.mode.mode),
        },
      ],
    },
    options: {
      indexAxis: 'y',
      plugins: {
        legend: { display: false },
        annotation: {
          annotations: { one: { type: 'line', xMin: 1, xMax: 1, borderColor: '#888', borderDash: [4, 4] } },
        },
      },
      scales: { x: { type: 'logarithmic', title: { display: true, text: 'time ratio (above 1: slower)' } } },
    },
  } as never);
  return figure;
}

async function machineSection(ctx: ViewContext, machine: MachineInfo): Promise<HTMLElement> {
  const title = h('h2', {}, viewLink('machines', { machine: machine.id }, machineLabel(machine)));
  const latest = machine.latestRun;
  if (!latest) {
    return h(
      'section',
      { className: 'machine' },
      title,
      emptyState(
        'This machine has no run yet.',
        'Its agent is enrolled; queue a job on the Machines page or wait for its schedule.',
      ),
    );
  }
  const run = await ctx.api.run(latest.id);
  const { gil, nogil } = headlineModes(run);
  const comparison = gil && nogil ? await ctx.api.compareModes(run.id, gil.id, nogil.id).catch(() => null) : null;
  const cards = [
    overheadCard(machine, run, comparison),
    memoryCard(machine, run),
    ...scalingCards(machine, run),
    callsCard(machine, run),
    regressionsCard(machine),
  ];
  const chart = comparison ? overheadChart(comparison) : null;
  return h(
    'section',
    { className: 'machine', data: { machine: machine.id } },
    title,
    h(
      'p',
      { className: 'muted' },
      'Latest run ',
      viewLink('machines', { machine: machine.id, run: run.id }, formatTime(run.startedAt)),
      ` (${formatAgo(run.startedAt)}, profile ${run.profile}, ${machine.runCount} run${machine.runCount === 1 ? '' : 's'} in all). `,
      machine.runCount < 2 ? 'History needs a second run.' : viewLink('history', { machine: machine.id }, 'history →'),
    ),
    h('div', { className: 'cards' }, cards),
    chart,
  );
}

export async function renderOverview(ctx: ViewContext): Promise<Child> {
  const machines = await ctx.api.machines();
  const header = [
    h('h1', {}, 'Overview'),
    lead(
      'The latest run of every machine: what the free-threaded build costs and gains. Ratios are nogil / gil time (above 1: slower).',
    ),
  ];
  if (machines.length === 0) return [header, noRunsYet()];
  const sorted = [...machines].sort((a, b) => b.lastSeen - a.lastSeen);
  const sections = await Promise.all(sorted.map((m) => machineSection(ctx, m)));
  return [header, sections];
}
