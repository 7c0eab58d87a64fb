/**
 * Overview's model: per machine, the headlines of its newest runs, each
 * linking to its detail: single-thread overhead nogil/gil (geometric mean
 * with CI), memory ratio, scaling against gil and scaling efficiency at
 * the most threads, the worst-scaling workloads, call overhead nogil/gil
 * and in ns, lock cost, and open regressions. The numbers with a CI are
 * harness/stats/headlines.ts's, the ones the trends view draws per run.
 *
 * Each headline comes from the newest run that measured it: a quick nightly
 * run of one suite does not blank out the others. A headline taken from an
 * older run than the newest says so and links to it.
 *
 * @example overviewModel(data, state).machines[0]?.cards?.map((c) => c.id) // ['overhead', 'memory', 'scaling', …]
 */
import {
  callsHeadline,
  type Headline,
  overheadHeadline,
  type RunHeadlines,
} from '../../../../harness/stats/headlines.ts';
import { efficiencyAt, geometricMeanOf, memoryRatio, type ScalingGroup, worstScaling } from '../../analysis.ts';
import type { ComparisonView, MachineInfo, ModeRef, ResultRow, RunDetail, RunInfo } from '../../api.ts';
import {
  formatAgo,
  formatNs,
  formatPercent,
  formatRatio,
  formatRatioRange,
  formatRatioReading,
  formatTime,
} from '../../format.ts';
import {
  caveatText,
  type Empty,
  findMode,
  type Inline,
  type Link,
  link,
  MODE_HELP,
  machineLabel,
  measureCommand,
  modeName,
  noRunsYet,
  plural,
  type RunCaveats,
  runCaveats,
  runtimesText,
} from '../shared/model.ts';
import type { ViewState } from '../types.ts';

/** The runs each headline of one machine is read from. */
export interface Headlines {
  /** The newest run with gil and nogil (preferably with the single-thread suite), and its comparison. */
  overhead: { run: RunDetail; comparison: ComparisonView | null; singleThread: boolean } | null;
  /** `againstGil`: nogil's work per second against gil on one thread (harness/stats/headlines.ts). */
  scaling: { run: RunInfo; curves: ScalingGroup[]; againstGil: RunHeadlines['scaling'] } | null;
  calls: RunDetail | null;
  /** The newest run with the locks suite, and its lock cost (harness/stats/headlines.ts). */
  locks?: { run: RunDetail; headline: NonNullable<RunHeadlines['locks']> } | null;
  /** nogil against gil in the calls run (per case, with CIs), when it has both modes. */
  callsComparison?: ComparisonView | null;
}

export interface OverviewData {
  /** Every machine, seen last first; `headlines` is null for a machine without a run. */
  machines: Array<{ machine: MachineInfo; headlines: Headlines | null }>;
}

export const isSingleThread = (r: ResultRow) => r.suite === 'single-thread' && r.status === 'ok';
export const isCall = (r: ResultRow) => 'arity' in r.params && r.status === 'ok' && r.stats !== null;

export function headlineModes(run: RunInfo): { gil?: ModeRef; nogil?: ModeRef } {
  return { gil: findMode(run.modes, 'gil'), nogil: findMode(run.modes, 'nogil') };
}

/** A card's detail: plain text, lines (each a block), or a numbered list. */
export type CardDetail =
  | { kind: 'text'; text: Inline[] }
  | { kind: 'lines'; lines: Array<{ className?: string; text: Inline[] }> }
  | { kind: 'list'; items: Inline[][] };

/** The call card's value: ns per call by mode at arity 0 and 4. */
export interface CallsTable {
  rows: Array<{ modeId: string; mode: string; arity0: string; arity4: string }>;
}

/** The call-overhead card's value: nogil/gil per call kind (rows) and arity (columns), with CIs. */
export interface CallRatioTable {
  arities: number[];
  rows: Array<{ kind: string; cells: Array<{ arity: number; text: string; title: string }> }>;
}

export interface Card {
  id: string;
  title: string;
  value: string | CallsTable | CallRatioTable;
  detail: CardDetail;
  link?: Link;
  /** What the number rests on: runtimes, profile, warnings. */
  context?: string;
  /** The run is quick, busy or mostly unstable: the card is marked. */
  caution?: boolean;
}

export interface SuiteChart {
  title: string;
  height: number;
  other: string;
  base: string;
  /** The other mode's name (the bars' colour). */
  otherMode: string;
  axisTitle: string;
  bars: Array<{ label: string; ratio: number; ciLow: number; ciHigh: number }>;
}

export interface MachineSection {
  machineId: number;
  title: Link;
  /** For a machine that has no run yet. */
  empty: Empty | null;
  /** `Newest run …` with links. */
  newest: Inline[];
  cards: Card[];
  chart: SuiteChart | null;
  /** Shown above the cards when a headline rests on a quick, busy or mostly unstable run. */
  notice: string | null;
}

export interface OverviewModel {
  lead: string[];
  /** One line per mode. */
  modes: Array<{ mode: string; text: string }>;
  noMachine: Empty | null;
  machines: MachineSection[];
}

export const OVERVIEW_LEAD = [
  'Every machine’s newest runs: what the free-threaded build (nogil) costs and gains against the default build (gil). ',
  'Ratios are nogil time / gil time: 1.20× means nogil is 1.20× slower.',
];

/** "from the run of …" when a headline comes from an older run than the machine's newest. */
function fromOlderRun(machine: MachineInfo, run: RunInfo, what: string): { className: string; text: Inline[] } | null {
  if (machine.latestRun?.id === run.id) return null;
  return {
    className: 'from',
    text: [
      'from ',
      link('machines', { machine: machine.id, run: run.id }, formatTime(run.startedAt)),
      `, the newest run with ${what}`,
    ],
  };
}

function lines(...items: Array<{ className?: string; text: Inline[] } | null>): CardDetail {
  return { kind: 'lines', lines: items.filter((x) => x !== null) };
}

function text(...pieces: Inline[]): CardDetail {
  return { kind: 'text', text: pieces };
}

export function overheadCard(machine: MachineInfo, found: Headlines['overhead']): Card {
  const base = { id: 'overhead', title: 'Single-thread overhead nogil/gil' };
  if (!found)
    return {
      ...base,
      value: '–',
      detail: text('no recent run measured both gil and nogil; measure with ', { code: '--mode gil,nogil' }),
    };
  const { run, comparison, singleThread } = found;
  const { gil, nogil } = headlineModes(run);
  const to: Link = {
    view: 'compare',
    params: {
      machine: machine.id,
      run: run.id,
      base: gil?.id,
      other: nogil?.id,
      suite: singleThread ? 'single-thread' : '',
    },
    text: 'compare table →',
  };
  // The page asked and the server did not answer (the loader keeps a failed compare as null).
  if (!comparison)
    return {
      ...base,
      value: '–',
      detail: text('the server could not compare the modes just now; reload to ask again'),
      link: to,
    };
  const gm = overheadHeadline(comparison.rows);
  if (!gm) return { ...base, value: '–', detail: text('no case was measured in both modes'), link: to };
  const scope =
    gm.scope === 'single-thread'
      ? `geometric mean of ${plural(gm.count, 'single-thread case')}`
      : `geometric mean of ${plural(gm.count, 'case')} of all suites (no single-thread suite measured)`;
  return {
    ...base,
    value: formatRatio(gm.value),
    detail: lines(
      { className: 'reading', text: [`nogil is ${formatRatioReading(gm.value)} than gil`] },
      { text: [`95% CI ${formatRatioRange(gm.ciLow, gm.ciHigh)}, ${scope}`] },
      fromOlderRun(machine, run, singleThread ? 'the single-thread suite' : 'both modes'),
    ),
    link: to,
  };
}

export function memoryCard(machine: MachineInfo, found: Headlines['overhead']): Card {
  const base = { id: 'memory', title: 'Memory nogil/gil' };
  if (!found) return { ...base, value: '–', detail: text('needs a run with both gil and nogil') };
  const { run } = found;
  const { gil, nogil } = headlineModes(run);
  const ratio = memoryRatio(run.results, gil!.id, nogil!.id);
  return {
    ...base,
    value: formatRatio(ratio.value),
    detail: ratio.count
      ? lines(
          { className: 'reading', text: [`nogil's peak RSS is ${formatRatio(ratio.value)} gil's`] },
          { text: [`geometric mean over ${plural(ratio.count, 'case')}`] },
          fromOlderRun(machine, run, 'both modes'),
        )
      : text('no peak RSS was recorded in this run'),
    link: { view: 'machines', params: { machine: machine.id, run: run.id }, text: 'per case →' },
  };
}

/** `95% CI [1.18, 1.24]`. */
const ciText = (h: Headline) => `95% CI ${formatRatioRange(h.ciLow, h.ciHigh)}`;

/** nogil's work per second against gil on one thread, at the most threads. */
export function scalingAgainstGilCard(machine: MachineInfo, found: Headlines['scaling']): Card | null {
  const h = found?.againstGil;
  if (!found || !h) return null;
  return {
    id: 'scaling-gil',
    title: `Scaling against gil at ${h.threads} threads (nogil)`,
    value: formatRatio(h.value),
    detail: lines(
      {
        className: 'reading',
        text: [`nogil on ${h.threads} threads gets ${formatRatio(h.value)} the work per second of gil on one`],
      },
      { text: [`${ciText(h)}, geometric mean over ${plural(h.count, 'workload')}`] },
      fromOlderRun(machine, found.run, 'threaded benchmarks'),
    ),
    link: { view: 'scaling', params: { machine: machine.id, run: found.run.id }, text: 'scaling charts →' },
  };
}

export function scalingCards(machine: MachineInfo, found: Headlines['scaling']): Card[] {
  if (!found)
    return [
      {
        id: 'scaling',
        title: 'Scaling efficiency',
        value: '–',
        detail: text('no recent run measured threads; on a machine with 2+ cores, measure with ', {
          code: '--suite scaling',
        }),
      },
    ];
  const { run, curves } = found;
  const threads = Math.max(...curves.flatMap((c) => c.points.map((p) => p.threads)));
  const perMode = run.modes
    .map((mode) => ({ mode, ...efficiencyAt(curves, mode.id, threads) }))
    .filter((x) => x.count > 0);
  const focus = perMode.find((x) => x.mode.mode === 'nogil') ?? perMode[0]!;
  const others = perMode.filter((x) => x !== focus);
  const efficiency: Card = {
    id: 'scaling',
    title: `Scaling efficiency at ${threads} threads (${focus.mode.mode})`,
    value: formatPercent(focus.value, 0),
    detail: lines(
      others.length
        ? {
            className: 'reading',
            text: others.flatMap((x, i): Inline[] => [
              i ? ' · ' : '',
              { text: `${x.mode.mode} ${formatPercent(x.value, 0)}`, title: x.mode.id },
            ]),
          }
        : null,
      {
        text: [
          `geometric mean over ${plural(focus.count, 'workload')}; 100% = perfect scaling, ${formatPercent(1 / threads, 0)} = no gain over 1 thread`,
        ],
      },
      fromOlderRun(machine, run, 'threaded benchmarks'),
    ),
    link: { view: 'scaling', params: { machine: machine.id, run: run.id }, text: 'scaling charts →' },
  };
  const worst = worstScaling(curves, focus.mode.id);
  const worstCard: Card = {
    id: 'worst-scaling',
    title: `Worst scaling (${focus.mode.mode})`,
    value: formatPercent(worst[0]?.efficiency ?? null, 0),
    detail: {
      kind: 'list',
      items: worst
        .slice(0, 3)
        .map((r) => [
          link('scaling', { machine: machine.id, run: run.id, workload: r.workload }, r.workload),
          ` ${formatPercent(r.efficiency, 0)} at ${r.threads} threads`,
        ]),
    },
  };
  const againstGil = scalingAgainstGilCard(machine, found);
  return againstGil ? [againstGil, efficiency, worstCard] : [efficiency, worstCard];
}

export function callsCard(machine: MachineInfo, run: RunDetail | null): Card {
  const base = { id: 'calls', title: 'Call overhead' };
  if (!run)
    return {
      ...base,
      value: '–',
      detail: text('no recent run measured calls; measure with ', { code: '--suite calls' }),
    };
  const calls = run.results.filter(isCall);
  const cell = (mode: ModeRef, arity: number) => {
    const rows = calls.filter(
      (r) =>
        r.mode === mode.id &&
        Number(r.params.arity) === arity &&
        !('threads' in r.params && Number(r.params.threads) !== 1),
    );
    return formatNs(geometricMeanOf(rows.map((r) => r.stats!.median)));
  };
  return {
    ...base,
    value: { rows: run.modes.map((m) => ({ modeId: m.id, mode: m.mode, arity0: cell(m, 0), arity4: cell(m, 4) })) },
    detail: lines(
      { text: ['ns per call (median; geometric mean over call kinds)'] },
      fromOlderRun(machine, run, 'calls'),
    ),
    link: { view: 'calls', params: { machine: machine.id, run: run.id }, text: 'calls and locks →' },
  };
}

/** Marks a card with what it rests on. */
function withContext(card: Card, modes: ReadonlyArray<{ id: string }>, caveats: RunCaveats): Card {
  return { ...card, context: `${runtimesText(modes)} · ${caveatText(caveats)}`, caution: caveats.caution };
}

export function callOverheadCard(machine: MachineInfo, run: RunDetail | null, cmp: ComparisonView | null): Card {
  const base = { id: 'call-overhead', title: 'Call overhead nogil/gil by arity' };
  const rows = (cmp?.rows ?? []).filter(
    (r) => 'arity' in r.params && !('threads' in r.params && Number(r.params.threads) !== 1),
  );
  if (!run || !cmp || rows.length === 0)
    return {
      ...base,
      value: '–',
      detail: text('no recent run measured calls in gil and nogil; measure with ', { code: '--suite calls' }),
    };
  const mean = callsHeadline(cmp.rows);
  const arities = [...new Set(rows.map((r) => Number(r.params.arity)))].sort((a, b) => a - b);
  const kinds = [...new Set(rows.map((r) => r.benchmark))].sort();
  const table: CallRatioTable = {
    arities,
    rows: kinds.map((kind) => ({
      kind,
      cells: arities.map((arity) => {
        const r = rows.find((x) => x.benchmark === kind && Number(x.params.arity) === arity);
        if (!r || r.ratio === null) return { arity, text: '–', title: r?.reason ?? 'not measured' };
        return {
          arity,
          text: formatRatio(r.ratio),
          title: `95% CI ${formatRatioRange(r.ciLow, r.ciHigh)}: nogil is ${formatRatioReading(r.ratio)} than gil`,
        };
      }),
    })),
  };
  return {
    ...base,
    value: table,
    detail: lines(
      { text: ['time per call, nogil / gil, one call kind a row (hover a cell for its 95% CI)'] },
      mean ? { className: 'reading', text: [`geometric mean ${formatRatio(mean.value)}, ${ciText(mean)}`] } : null,
      fromOlderRun(machine, run, 'calls'),
    ),
    link: { view: 'calls', params: { machine: machine.id, run: run.id }, text: 'calls and locks →' },
  };
}

/** A Lock around a read against the lock-free read, without a writer, under gil and nogil. */
export function lockCostCard(machine: MachineInfo, found: Headlines['locks']): Card {
  const base = { id: 'lock-cost', title: 'Lock cost (Lock ÷ lock-free read)' };
  if (!found)
    return {
      ...base,
      value: '–',
      detail: text('no recent run measured locks; measure with ', { code: '--suite locks' }),
    };
  const { run, headline } = found;
  const focus = headline.nogil ?? headline.gil!;
  const reading = (['gil', 'nogil'] as const)
    .filter((m) => headline[m])
    .map((m) => `${formatRatio(headline[m]!.value)} under ${m}`);
  return {
    ...base,
    title: `${base.title} at ${headline.threads} threads (${headline.nogil ? 'nogil' : 'gil'})`,
    value: formatRatio(focus.value),
    detail: lines(
      { className: 'reading', text: [`a Lock around a read costs ${reading.join(', ')}`] },
      { text: [`${ciText(focus)}, no writer, geometric mean over ${plural(focus.count, 'read kind')}`] },
      fromOlderRun(machine, run, 'the locks suite'),
    ),
    link: { view: 'locks', params: { machine: machine.id, run: run.id }, text: 'locks →' },
  };
}

export function regressionsCard(machine: MachineInfo): Card {
  return {
    id: 'regressions',
    title: 'Open regressions',
    value: String(machine.openRegressions),
    detail: text(machine.openRegressions ? 'status new: waiting for someone to look' : 'nothing waiting for a look'),
    link: { view: 'regressions', params: { machine: machine.id, status: 'new' }, text: 'regressions →' },
  };
}

export function suiteChart(comparison: ComparisonView): SuiteChart | null {
  const suites = comparison.suites.filter((s) => s.geometricMean);
  if (suites.length === 0) return null;
  const other = modeName(comparison.other.mode.id);
  const base = modeName(comparison.base.mode.id);
  return {
    title: `${other} / ${base} time by suite (geometric mean, 95% CI)`,
    height: Math.max(150, 70 + suites.length * 34),
    other,
    base,
    otherMode: comparison.other.mode.mode,
    axisTitle: `time ratio ${other} / ${base} (above 1: ${other} is slower)`,
    bars: suites.map((s) => ({
      label: s.suite,
      ratio: s.geometricMean!.value,
      ciLow: s.geometricMean!.ciLow,
      ciHigh: s.geometricMean!.ciHigh,
    })),
  };
}

function machineSection(machine: MachineInfo, found: Headlines | null, state: ViewState): MachineSection {
  const section: MachineSection = {
    machineId: machine.id,
    title: { view: 'machines', params: { machine: machine.id }, text: machineLabel(machine) },
    empty: null,
    newest: [],
    cards: [],
    chart: null,
    notice: null,
  };
  const latest = machine.latestRun;
  if (!latest || !found)
    return {
      ...section,
      empty: {
        title: 'This machine has no run yet.',
        advice: [
          'Its agent is enrolled and uploads a run after its first job or schedule; to measure now, run ',
          measureCommand(state, 'single-thread,scaling,calls,locks'),
          ' on it.',
        ],
      },
    };
  section.newest = [
    'Newest run ',
    link('machines', { machine: machine.id, run: latest.id }, formatTime(latest.startedAt)),
    ` (${formatAgo(latest.startedAt, state.now)}, profile ${latest.profile}, ${plural(machine.runCount, 'run')} in all). `,
    machine.runCount < 2 ? 'History needs a second run.' : link('history', { machine: machine.id }, 'history →'),
    ' ',
    link('trends', { machine: machine.id }, 'headlines over time →'),
  ];
  const o = found.overhead ? runCaveats(found.overhead.run) : null;
  const s = found.scaling ? runCaveats(found.scaling.run) : null;
  const c = found.calls ? runCaveats(found.calls) : null;
  const l = found.locks ? runCaveats(found.locks.run) : null;
  const mark = (card: Card, run: RunInfo | undefined, caveats: RunCaveats | null): Card =>
    run && caveats && card.value !== '–' ? withContext(card, run.modes, caveats) : card;
  section.cards = [
    mark(overheadCard(machine, found.overhead), found.overhead?.run, o),
    mark(memoryCard(machine, found.overhead), found.overhead?.run, o),
    ...scalingCards(machine, found.scaling).map((card) => mark(card, found.scaling?.run, s)),
    mark(callOverheadCard(machine, found.calls, found.callsComparison ?? null), found.calls ?? undefined, c),
    mark(callsCard(machine, found.calls), found.calls ?? undefined, c),
    mark(lockCostCard(machine, found.locks ?? null), found.locks?.run, l),
    regressionsCard(machine),
  ];
  const cautious = [o, s, c, l].filter((x): x is RunCaveats => x?.caution === true);
  if (cautious.length > 0) {
    const why = [
      cautious.some((x) => x.profile === 'quick') ? 'the quick profile' : '',
      cautious.some((x) => x.busy) ? 'a busy machine' : '',
      cautious.some((x) => x.results > 0 && x.unstable * 4 >= x.results) ? 'many unstable results' : '',
    ].filter(Boolean);
    section.notice = `Take these headlines with care: they rest on ${why.join(', ')}. Differences inside the 95% CIs are noise; a default-profile run on an idle machine settles them.`;
  }
  section.chart = found.overhead?.comparison ? suiteChart(found.overhead.comparison) : null;
  return section;
}

export function overviewModel(data: OverviewData, state: ViewState): OverviewModel {
  const modes = Object.entries(MODE_HELP).map(([mode, text]) => ({ mode, text }));
  if (data.machines.length === 0) return { lead: OVERVIEW_LEAD, modes, noMachine: noRunsYet(state), machines: [] };
  return {
    lead: OVERVIEW_LEAD,
    modes,
    noMachine: null,
    machines: data.machines.map(({ machine, headlines }) => machineSection(machine, headlines, state)),
  };
}
