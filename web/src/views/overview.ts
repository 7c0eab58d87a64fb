/**
 * Overview: per machine, the headlines of its newest runs, each linking to
 * its detail: single-thread overhead nogil/gil (geometric mean with CI),
 * memory ratio, scaling efficiency at the most threads, the worst-scaling
 * workloads, call overhead at arity 0 and 4, and open regressions.
 *
 * Each headline comes from the newest run that measured it: a quick nightly
 * run of one suite does not blank out the others. A headline taken from an
 * older run than the newest says so and links to it.
 */
import {
  efficiencyAt,
  geometricMeanOf,
  hasScaling,
  memoryRatio,
  type ScalingGroup,
  worstScaling,
} from '../analysis.ts';
import type { ComparisonView, MachineInfo, ModeRef, ResultRow, RunDetail, RunInfo } from '../api.ts';
import { chartBox, modeColor, ratioBars } from '../charts.ts';
import { type Child, code, emptyState, h } from '../dom.ts';
import {
  formatAgo,
  formatNs,
  formatPercent,
  formatRatio,
  formatRatioRange,
  formatRatioReading,
  formatTime,
} from '../format.ts';
import {
  findMode,
  latestRunWith,
  lead,
  machineLabel,
  measureCommand,
  modeName,
  noRunsYet,
  type ViewContext,
  viewLink,
} from './common.ts';

/** `1 case`, `3 cases`. */
function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function card(title: string, value: Child, detail: Child, link?: Child, testId?: string): HTMLElement {
  return h(
    'section',
    { className: 'card', data: { card: testId } },
    h('h3', {}, title),
    h('div', { className: 'big' }, value),
    h('div', { className: 'muted' }, detail),
    link ? h('div', { className: 'more' }, link) : null,
  );
}

function headlineModes(run: RunInfo): { gil?: ModeRef; nogil?: ModeRef } {
  return { gil: findMode(run.modes, 'gil'), nogil: findMode(run.modes, 'nogil') };
}

/** "from the run of …" when a headline comes from an older run than the machine's newest. */
function fromOlderRun(machine: MachineInfo, run: RunInfo, what: string): Child {
  if (machine.latestRun?.id === run.id) return null;
  return h(
    'div',
    { className: 'from' },
    'from ',
    viewLink('machines', { machine: machine.id, run: run.id }, formatTime(run.startedAt)),
    `, the newest run with ${what}`,
  );
}

const isSingleThread = (r: ResultRow) => r.suite === 'single-thread' && r.status === 'ok';
const isCall = (r: ResultRow) => 'arity' in r.params && r.status === 'ok' && r.stats !== null;

interface Headlines {
  /** The newest run with gil and nogil (preferably with the single-thread suite), and its comparison. */
  overhead: { run: RunDetail; comparison: ComparisonView | null; singleThread: boolean } | null;
  scaling: { run: RunInfo; curves: ScalingGroup[] } | null;
  calls: RunDetail | null;
}

/** Finds, among the machine's newest runs, the one each headline is read from. */
async function findHeadlines(ctx: ViewContext, runs: readonly RunInfo[]): Promise<Headlines> {
  const withBoth = runs.filter((r) => {
    const { gil, nogil } = headlineModes(r);
    return gil && nogil;
  });
  const overhead = async (): Promise<Headlines['overhead']> => {
    const hit =
      (await latestRunWith(withBoth, async (r) => {
        const run = await ctx.api.run(r.id);
        return run.results.some(isSingleThread) ? run : null;
      })) ?? (withBoth[0] ? { run: withBoth[0], found: await ctx.api.run(withBoth[0].id) } : null);
    if (!hit) return null;
    const run = hit.found;
    const { gil, nogil } = headlineModes(run);
    const comparison = await ctx.api.compareModes(run.id, gil!.id, nogil!.id).catch(() => null);
    return { run, comparison, singleThread: run.results.some(isSingleThread) };
  };
  // The scaling suite is what the headline is about; other threaded benchmarks stand in without it.
  const scaling = async (): Promise<Headlines['scaling']> => {
    const ofSuite = (curves: ScalingGroup[]) => curves.filter((c) => c.suite === 'scaling');
    const hit =
      (await latestRunWith(runs, async (r) => {
        const curves = ofSuite(await ctx.api.scaling(r.id));
        return hasScaling(curves) ? curves : null;
      })) ??
      (await latestRunWith(runs, async (r) => {
        const curves = await ctx.api.scaling(r.id);
        return hasScaling(curves) ? curves : null;
      }));
    return hit ? { run: hit.run, curves: hit.found } : null;
  };
  const calls = async (): Promise<RunDetail | null> => {
    const hit = await latestRunWith(runs, async (r) => {
      const run = await ctx.api.run(r.id);
      return run.results.some(isCall) ? run : null;
    });
    return hit?.found ?? null;
  };
  const [o, s, c] = await Promise.all([overhead(), scaling(), calls()]);
  return { overhead: o, scaling: s, calls: c };
}

function overheadCard(machine: MachineInfo, found: Headlines['overhead']): HTMLElement {
  const title = 'Single-thread overhead nogil/gil';
  if (!found) {
    return card(
      title,
      '–',
      h('span', {}, 'no recent run measured both gil and nogil; measure with ', code('--mode gil,nogil')),
      undefined,
      'overhead',
    );
  }
  const { run, comparison, singleThread } = found;
  const { gil, nogil } = headlineModes(run);
  const link = viewLink(
    'compare',
    { machine: machine.id, run: run.id, base: gil?.id, other: nogil?.id, suite: singleThread ? 'single-thread' : '' },
    'compare table →',
  );
  const suite = comparison?.suites.find((s) => s.suite === 'single-thread');
  const gm = suite?.geometricMean ?? comparison?.geometricMean ?? null;
  if (!gm) return card(title, '–', 'no case was measured in both modes', link, 'overhead');
  const scope = suite
    ? `geometric mean of ${plural(gm.count, 'single-thread case')}`
    : `geometric mean of ${plural(gm.count, 'case')} of all suites (no single-thread suite measured)`;
  return card(
    title,
    formatRatio(gm.value),
    [
      h('div', { className: 'reading' }, `nogil is ${formatRatioReading(gm.value)} than gil`),
      h('div', {}, `95% CI ${formatRatioRange(gm.ciLow, gm.ciHigh)}, ${scope}`),
      fromOlderRun(machine, run, singleThread ? 'the single-thread suite' : 'both modes'),
    ],
    link,
    'overhead',
  );
}

function memoryCard(machine: MachineInfo, found: Headlines['overhead']): HTMLElement {
  const title = 'Memory nogil/gil';
  if (!found) return card(title, '–', 'needs a run with both gil and nogil', undefined, 'memory');
  const { run } = found;
  const { gil, nogil } = headlineModes(run);
  const ratio = memoryRatio(run.results, gil!.id, nogil!.id);
  return card(
    title,
    formatRatio(ratio.value),
    ratio.count
      ? [
          h('div', { className: 'reading' }, `nogil's peak RSS is ${formatRatio(ratio.value)} gil's`),
          h('div', {}, `geometric mean over ${plural(ratio.count, 'case')}`),
          fromOlderRun(machine, run, 'both modes'),
        ]
      : 'no peak RSS was recorded in this run',
    viewLink('machines', { machine: machine.id, run: run.id }, 'per case →'),
    'memory',
  );
}

function scalingCards(machine: MachineInfo, found: Headlines['scaling']): HTMLElement[] {
  if (!found) {
    return [
      card(
        'Scaling efficiency',
        '–',
        h(
          'span',
          {},
          'no recent run measured threads; on a machine with 2+ cores, measure with ',
          code('--suite scaling'),
        ),
        undefined,
        'scaling',
      ),
    ];
  }
  const { run, curves } = found;
  const link = viewLink('scaling', { machine: machine.id, run: run.id }, 'scaling charts →');
  const threads = Math.max(...curves.flatMap((c) => c.points.map((p) => p.threads)));
  const perMode = run.modes
    .map((mode) => ({ mode, ...efficiencyAt(curves, mode.id, threads) }))
    .filter((x) => x.count > 0);
  const focus = perMode.find((x) => x.mode.mode === 'nogil') ?? perMode[0]!;
  const others = perMode.filter((x) => x !== focus);
  const efficiency = card(
    `Scaling efficiency at ${threads} threads (${focus.mode.mode})`,
    formatPercent(focus.value, 0),
    [
      others.length
        ? h(
            'div',
            { className: 'reading' },
            others.map((x, i) => [
              i ? ' · ' : '',
              h('span', { attrs: { title: x.mode.id } }, `${x.mode.mode} ${formatPercent(x.value, 0)}`),
            ]),
          )
        : null,
      h(
        'div',
        {},
        `geometric mean over ${plural(focus.count, 'workload')}; 100% = perfect scaling, ${formatPercent(1 / threads, 0)} = no gain over 1 thread`,
      ),
      fromOlderRun(machine, run, 'threaded benchmarks'),
    ],
    link,
    'scaling',
  );
  const worst = worstScaling(curves, focus.mode.id);
  const worstCard = card(
    `Worst scaling (${focus.mode.mode})`,
    formatPercent(worst[0]?.efficiency ?? null, 0),
    h(
      'ol',
      {},
      worst
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
  return [efficiency, worstCard];
}

function callsCard(machine: MachineInfo, run: RunDetail | null): HTMLElement {
  if (!run)
    return card(
      'Call overhead',
      '–',
      h('span', {}, 'no recent run measured calls; measure with ', code('--suite calls')),
      undefined,
      'calls',
    );
  const calls = run.results.filter(isCall);
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
    'Call overhead',
    h(
      'table',
      { className: 'mini' },
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
            h('td', { attrs: { title: m.id } }, m.mode),
            h('td', { className: 'num' }, formatNs(cell(m, 0))),
            h('td', { className: 'num' }, formatNs(cell(m, 4))),
          ),
        ),
      ),
    ),
    [h('div', {}, 'ns per call (median; geometric mean over call kinds)'), fromOlderRun(machine, run, 'calls')],
    viewLink('calls', { machine: machine.id, run: run.id }, 'calls and locks →'),
    'calls',
  );
}

function regressionsCard(machine: MachineInfo): HTMLElement {
  return card(
    'Open regressions',
    String(machine.openRegressions),
    machine.openRegressions ? 'status new: waiting for someone to look' : 'nothing waiting for a look',
    viewLink('regressions', { machine: machine.id, status: 'new' }, 'regressions →'),
    'regressions',
  );
}

function overheadChart(comparison: ComparisonView): HTMLElement | null {
  const suites = comparison.suites.filter((s) => s.geometricMean);
  if (suites.length === 0) return null;
  const other = modeName(comparison.other.mode.id);
  const base = modeName(comparison.base.mode.id);
  const { figure, canvas } = chartBox(`${other} / ${base} time by suite (geometric mean, 95% CI)`, {
    height: Math.max(150, 70 + suites.length * 34),
    id: 'overview-suites',
  });
  ratioBars(canvas, {
    bars: suites.map((s) => ({
      label: s.suite,
      ratio: s.geometricMean!.value,
      ciLow: s.geometricMean!.ciLow,
      ciHigh: s.geometricMean!.ciHigh,
    })),
    colors: modeColor(comparison.other.mode.mode),
    other,
    base,
    axisTitle: `time ratio ${other} / ${base} (above 1: ${other} is slower)`,
    y: { title: { display: true, text: 'suite' } },
  });
  return figure;
}

async function machineSection(ctx: ViewContext, machine: MachineInfo): Promise<HTMLElement> {
  const title = h('h2', {}, viewLink('machines', { machine: machine.id }, machineLabel(machine)));
  const latest = machine.latestRun;
  if (!latest) {
    return h(
      'section',
      { className: 'machine', data: { machine: machine.id } },
      title,
      emptyState(
        'This machine has no run yet.',
        'Its agent is enrolled and uploads a run after its first job or schedule; to measure now, run ',
        measureCommand('single-thread,scaling,calls,locks'),
        ' on it.',
      ),
    );
  }
  const runs = await ctx.api.runs({ machine: machine.id });
  const found = await findHeadlines(ctx, runs.length ? runs : [latest]);
  const cards = [
    overheadCard(machine, found.overhead),
    memoryCard(machine, found.overhead),
    ...scalingCards(machine, found.scaling),
    callsCard(machine, found.calls),
    regressionsCard(machine),
  ];
  const chart = found.overhead?.comparison ? overheadChart(found.overhead.comparison) : null;
  return h(
    'section',
    { className: 'machine', data: { machine: machine.id } },
    title,
    h(
      'p',
      { className: 'muted' },
      'Newest run ',
      viewLink('machines', { machine: machine.id, run: latest.id }, formatTime(latest.startedAt)),
      ` (${formatAgo(latest.startedAt)}, profile ${latest.profile}, ${plural(machine.runCount, 'run')} in all). `,
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
      'Every machine’s newest runs: what the free-threaded build (nogil) costs and gains against the default build (gil). ',
      'Ratios are nogil time / gil time: 1.20× means nogil is 1.20× slower.',
    ),
  ];
  if (machines.length === 0) return [header, noRunsYet()];
  const sorted = [...machines].sort((a, b) => b.lastSeen - a.lastSeen);
  const sections = await Promise.all(sorted.map((m) => machineSection(ctx, m)));
  return [header, sections];
}
