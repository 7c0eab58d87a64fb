/**
 * Compare's model: two modes of one run (default gil against nogil of the
 * latest run) or one mode in two runs. A sortable table (benchmark, both
 * values, ratio ± CI, significant or not) with the geometric mean, and a
 * chart of the ratios.
 *
 * URL state: `machine`, `by=modes|runs`, `run`, `base`, `other` (modes), or
 * `run`, `against` (runs) with `mode`; `suite`, `sort`, `desc`.
 *
 * @example compareModel(data, state).headline?.value // '1.42×'
 */
import { PROFILES, type ProfileName } from '../../../../harness/sampling/profiles.ts';
import type { ComparisonRow, ComparisonView, MachineInfo, ModeRef, RunInfo } from '../../api.ts';
import {
  formatNs,
  formatPercent,
  formatRatio,
  formatRatioCi,
  formatRatioRange,
  formatRatioReading,
  ratioVerdict,
} from '../../format.ts';
import {
  type Empty,
  findMode,
  machineSelect,
  measureCommand,
  missingMode,
  modeName,
  modeSelect,
  noRunsYet,
  runSelect,
  type Select,
} from '../shared/model.ts';
import type { ViewState } from '../types.ts';

/**
 * What the URL asks to compare, resolved against the machine's runs: two
 * modes of `run`, or `mode` in `against` (base) and `run`; `problem` says
 * why nothing can be compared.
 */
export type CompareChoice =
  | { by: 'modes'; run: RunInfo; base: ModeRef; other?: ModeRef; problem?: 'second-mode' }
  | {
      by: 'runs';
      run: RunInfo;
      against?: RunInfo;
      shared: ModeRef[];
      mode?: ModeRef;
      problem?: 'one-run' | 'no-shared-mode';
    };

/** The comparison the URL asks for (runs newest first; none without runs). */
export function chooseComparison(runs: readonly RunInfo[], params: URLSearchParams): CompareChoice | null {
  if (runs.length === 0) return null;
  const run = runs.find((r) => r.id === params.get('run')) ?? runs[0]!;
  if (params.get('by') !== 'runs') {
    const base = findMode(run.modes, params.get('base') ?? 'gil') ?? run.modes[0]!;
    const other = findMode(run.modes, params.get('other') ?? 'nogil') ?? run.modes.find((m) => m.id !== base.id);
    if (!other || other.id === base.id) return { by: 'modes', run, base, problem: 'second-mode' };
    return { by: 'modes', run, base, other };
  }
  const againstId = params.get('against') ?? runs.find((r) => r.id !== run.id)?.id;
  const against = runs.find((r) => r.id === againstId);
  if (!against || against.id === run.id) return { by: 'runs', run, shared: [], problem: 'one-run' };
  const shared = run.modes.filter((m) => against.modes.some((a) => a.id === m.id));
  const mode = findMode(shared, params.get('mode') ?? 'nogil') ?? shared[0];
  if (!mode) return { by: 'runs', run, against, shared, problem: 'no-shared-mode' };
  return { by: 'runs', run, against, shared, mode };
}

export interface CompareData {
  machines: MachineInfo[];
  machine: MachineInfo | undefined;
  runs: RunInfo[];
  /** The server's comparison of what `chooseComparison` chose (null when nothing could be compared). */
  comparison: ComparisonView | null;
}

export interface StatsCell {
  median: string;
  margin: string;
  title: string;
  /** The CI is wider than the run's profile allows: the harness marked the result `unstable`. */
  unstable: boolean;
}

export interface CompareRow {
  caseId: string;
  /** Sort values. */
  baseMedian: number | null;
  otherMedian: number | null;
  ratio: number | null;
  significant: boolean;
  base: StatsCell | null;
  other: StatsCell | null;
  /** `1.42× slower` over `1.42× [1.40, 1.44]`. */
  reading: string | null;
  ratioCi: string;
  verdict: { text: string; className: string; title?: string };
}

export interface RatioChartModel {
  title: string;
  height: number;
  other: string;
  base: string;
  axisTitle: string;
  /** Significant bars take the other mode's colour; the rest are grey. */
  otherMode: string;
  bars: Array<{ label: string; ratio: number; ciLow: number; ciHigh: number; significant: boolean }>;
}

/** One suite's rows: its summary (geometric mean, worst and best case) and the rows shown. */
export interface SuiteSection {
  suite: string;
  /** `geometric mean 1.42× [1.40, 1.44] over 40 cases · worst … · best …`. */
  summary: string;
  /** How many rows the suite has (all of them are in the table's `rows`, and so in the downloads). */
  rowCount: number;
  /** The case ids of the rows drawn: the few that matter (significant first, then the largest), or all when opened. */
  shown: string[];
  /** Whether every row is shown (`all=SUITE` in the URL, or a `case` of it named). */
  open: boolean;
  footer: CompareTable['footer'];
}

export interface CompareTable {
  /** How many rows have an unstable side, said under the table; null when none. */
  unstableNote: string | null;
  baseLabel: string;
  baseTitle: string;
  otherLabel: string;
  otherTitle: string;
  ratioTitle: string;
  sort: string;
  descending: boolean;
  rows: CompareRow[];
  footer: { label: string; value?: number; reading: string | null; ci: string; verdict: string };
  /** The rows by suite, each collapsed to the few that matter unless opened. */
  sections: SuiteSection[];
}

/** Rows shown of a collapsed suite: enough to see what changed, short enough for one screen. */
export const ROWS_SHOWN = 8;
/** Bars the chart draws while every suite is collapsed (the largest changes of the rows shown). */
export const BARS_SHOWN = 24;

export interface CompareModel {
  lead: string;
  noMachine: Empty | null;
  controls: Select[];
  /** A mode named in the URL that the run lacks. */
  notice: Empty | null;
  empty: Empty | null;
  headline: { text: string; value: string; ci: string; reading: string } | null;
  table: CompareTable | null;
  chart: RatioChartModel | null;
}

export const COMPARE_LEAD =
  'Time per operation of each case in two modes or two runs, and their ratio other / base with a 95% bootstrap CI.';

/**
 * The CI margin above which the run's profile calls a result `unstable` (harness/sampling/profiles.ts);
 * null for a profile the harness does not define.
 * @example unstableAbove('quick') // 0.1
 */
export function unstableAbove(profile: string | undefined): number | null {
  return profile && profile in PROFILES ? PROFILES[profile as ProfileName].maxMargin : null;
}

function statsCell(stats: ComparisonRow['base'], maxMargin: number | null): StatsCell | null {
  if (!stats) return null;
  const unstable = maxMargin !== null && stats.margin > maxMargin;
  return {
    median: formatNs(stats.median),
    margin: ` ±${formatPercent(stats.margin, 1)}`,
    title: `median; 95% CI [${formatNs(stats.ciLow)}, ${formatNs(stats.ciHigh)}], n=${stats.n}${unstable ? `; unstable: the CI is wider than the profile's ±${formatPercent(maxMargin, 0)}` : ''}`,
    unstable,
  };
}

function verdictOf(row: ComparisonRow): CompareRow['verdict'] {
  if (row.ratio === null)
    return { text: row.reason ?? 'not compared', className: 'muted reason', title: row.reason ?? '' };
  if (!row.significant) return { text: 'no', className: 'muted' };
  return row.ratio < 1 ? { text: 'yes, faster', className: 'sig faster' } : { text: 'yes, slower', className: 'sig' };
}

/** A table row; `maxMargin` is each side's unstable bound (its run's profile), when known. */
export function compareRow(
  r: ComparisonRow,
  maxMargin: { base: number | null; other: number | null } = { base: null, other: null },
): CompareRow {
  return {
    caseId: r.caseId,
    baseMedian: r.base?.median ?? null,
    otherMedian: r.other?.median ?? null,
    ratio: r.ratio,
    significant: r.significant,
    base: statsCell(r.base, maxMargin.base),
    other: statsCell(r.other, maxMargin.other),
    reading: r.ratio === null ? null : formatRatioReading(r.ratio),
    ratioCi: r.ratio === null ? '' : formatRatioCi(r.ratio, r.ciLow, r.ciHigh),
    verdict: verdictOf(r),
  };
}

/** A side's short name: the mode's name for two modes of a run, the run's label for two runs. */
function sideName(side: ComparisonView['base'], byModes: boolean): string {
  return byModes ? modeName(side.mode.id) : side.label;
}

function ratioChart(
  view: ComparisonView,
  rows: readonly ComparisonRow[],
  byModes: boolean,
  total: number,
): RatioChartModel {
  const shown = rows.filter((r) => r.ratio !== null).slice(0, 200);
  const of = shown.length < total ? `: the ${shown.length} largest changes of ${total} cases, shown below` : '';
  const other = sideName(view.other, byModes);
  const base = sideName(view.base, byModes);
  return {
    title: `${other} / ${base} time per case (95% CI)${of}`,
    height: Math.min(4000, 60 + shown.length * 22),
    other,
    base,
    axisTitle: `time ratio ${other} / ${base}: above 1 = ${other} slower (grey: not significant)`,
    otherMode: view.other.mode.mode,
    bars: shown.map((r) => ({
      label: r.caseId,
      ratio: r.ratio!,
      ciLow: r.ciLow ?? r.ratio!,
      ciHigh: r.ciHigh ?? r.ratio!,
      significant: r.significant,
    })),
  };
}

/** How much a row matters: significant changes first, then the size of the change either way. */
type Ranked = { caseId: string; ratio: number | null; significant: boolean };
function weight(r: Ranked): number {
  if (r.ratio === null || r.ratio <= 0) return -1;
  return (r.significant ? 1e6 : 0) + Math.abs(Math.log(r.ratio));
}

/** The `n` rows that matter most, in order. */
export function mostChanged<R extends Ranked>(rows: readonly R[], n: number): R[] {
  return [...rows].sort((a, b) => weight(b) - weight(a)).slice(0, n);
}

function footerOf(gm: ComparisonView['geometricMean']): CompareTable['footer'] {
  return {
    label: `geometric mean (${gm?.count ?? 0} cases)`,
    value: gm?.value,
    reading: gm ? formatRatioReading(gm.value) : null,
    ci: gm ? formatRatioCi(gm.value, gm.ciLow, gm.ciHigh) : '',
    verdict: gm ? ratioVerdict(gm.ciLow, gm.ciHigh) : '',
  };
}

function sectionOf(view: ComparisonView, suite: string, rows: CompareRow[], open: boolean): SuiteSection {
  const gm = view.suites.find((s) => s.suite === suite)?.geometricMean ?? null;
  const ranked = [...rows].filter((r) => r.ratio !== null).sort((a, b) => b.ratio! - a.ratio!);
  const worst = ranked[0];
  const best = ranked.at(-1);
  const summary = [
    gm
      ? `geometric mean ${formatRatioCi(gm.value, gm.ciLow, gm.ciHigh)} over ${gm.count} cases`
      : `${rows.length} cases`,
    worst ? `worst ${worst.caseId} ${formatRatio(worst.ratio!)}` : '',
    best && best !== worst ? `best ${best.caseId} ${formatRatio(best.ratio!)}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  const few = new Set(mostChanged(rows, ROWS_SHOWN));
  return {
    suite,
    summary,
    rowCount: rows.length,
    shown: (open ? rows : rows.filter((r) => few.has(r))).map((r) => r.caseId),
    open: open || rows.length <= ROWS_SHOWN,
    footer: footerOf(gm),
  };
}

function controlsOf(data: CompareData, choice: CompareChoice): Select[] {
  const controls = [
    machineSelect(data.machines, data.machine!),
    {
      label: 'Compare',
      name: 'by',
      options: [
        { value: 'modes', label: 'two modes of one run' },
        { value: 'runs', label: 'one mode in two runs' },
      ],
      value: choice.by,
      param: 'by',
    },
    runSelect('Run', 'run', data.runs, choice.run.id),
  ];
  if (choice.by === 'modes') {
    controls.push(modeSelect('Base', 'base', choice.run.modes, choice.base.id));
    if (choice.other) controls.push(modeSelect('Other', 'other', choice.run.modes, choice.other.id));
  } else {
    if (choice.against) controls.push(runSelect('Against (base)', 'against', data.runs, choice.against.id));
    if (choice.mode) controls.push(modeSelect('Mode', 'mode', choice.shared, choice.mode.id));
  }
  return controls;
}

export function compareModel(data: CompareData, state: ViewState): CompareModel {
  const model: CompareModel = {
    lead: COMPARE_LEAD,
    noMachine: null,
    controls: [],
    notice: null,
    empty: null,
    headline: null,
    table: null,
    chart: null,
  };
  if (!data.machine) return { ...model, noMachine: noRunsYet(state) };
  const choice = chooseComparison(data.runs, state.params);
  if (!choice)
    return {
      ...model,
      controls: [machineSelect(data.machines, data.machine)],
      empty: {
        title: 'This machine has no run yet.',
        advice: [
          'Measure on it in two modes to compare them: ',
          measureCommand(state, 'single-thread,scaling,calls,locks'),
          '.',
        ],
      },
    };
  model.controls = controlsOf(data, choice);
  if (choice.problem === 'second-mode') return { ...model, empty: missingMode('second', choice.run.modes) };
  if (choice.problem === 'one-run')
    return {
      ...model,
      empty: {
        title: 'This machine has only one run.',
        advice: ['Comparing runs needs a second run of the same machine; compare its modes instead.'],
      },
    };
  if (choice.problem === 'no-shared-mode')
    return {
      ...model,
      empty: { title: 'These runs share no mode.', advice: ['Pick runs that measured the same interpreter and mode.'] },
    };
  const wantedOther = state.params.get('other');
  if (choice.by === 'modes' && wantedOther && !findMode(choice.run.modes, wantedOther))
    model.notice = missingMode(wantedOther, choice.run.modes);
  const view = data.comparison!;
  const byModes = choice.by === 'modes';

  const suites = [...new Set(view.rows.map((r) => r.suite))];
  const wantedSuite = state.params.get('suite');
  const suite = wantedSuite && suites.includes(wantedSuite) ? wantedSuite : '';
  model.controls.push({
    label: 'Suite',
    name: 'suite',
    options: [{ value: '', label: 'all suites' }, ...suites.map((s) => ({ value: s, label: s }))],
    value: suite,
    param: 'suite',
  });
  const rows = suite ? view.rows.filter((r) => r.suite === suite) : view.rows;
  const gm = suite ? (view.suites.find((s) => s.suite === suite)?.geometricMean ?? null) : view.geometricMean;
  if (rows.length === 0)
    return {
      ...model,
      empty: {
        title: 'No case was measured in both.',
        advice: ['Run the same suites in both modes (or runs) to compare them.'],
      },
    };
  model.headline = {
    text: `${view.other.label} against ${view.base.label}: geometric mean `,
    value: gm ? formatRatio(gm.value) : '–',
    ci: gm ? ` ${formatRatioRange(gm.ciLow, gm.ciHigh)}` : '',
    reading: gm
      ? `, i.e. ${sideName(view.other, byModes)} is ${formatRatioReading(gm.value)} over ${gm.count} cases.`
      : '',
  };
  const profileOf = (runId: string) => data.runs.find((r) => r.id === runId)?.profile;
  const bounds = { base: unstableAbove(profileOf(view.base.runId)), other: unstableAbove(profileOf(view.other.runId)) };
  const tableRows = rows.map((r) => compareRow(r, bounds));
  const unstable = tableRows.filter((r) => r.base?.unstable || r.other?.unstable).length;
  model.table = {
    unstableNote: unstable
      ? `? = unstable (${unstable} of ${rows.length} rows): the CI is wider than the run's profile allows; read those ratios with care.`
      : null,
    baseLabel: `${sideName(view.base, byModes)} (base)`,
    baseTitle: `${view.base.label}: median ns per operation ± CI half-width`,
    otherLabel: sideName(view.other, byModes),
    otherTitle: `${view.other.label}: median ns per operation ± CI half-width`,
    ratioTitle: `${view.other.label} time / ${view.base.label} time`,
    sort: state.params.get('sort') ?? 'case',
    descending: state.params.get('desc') === '1',
    rows: tableRows,
    footer: footerOf(gm),
    sections: [],
  };
  // A suite opens in full when the URL says so (`all=SUITE,…` or `all=1`), or names one of its cases.
  const wantedAll = (state.params.get('all') ?? '').split(',');
  const wantedCase = state.params.get('case');
  model.table.sections = [...new Set(rows.map((r) => r.suite))].map((s) => {
    const of = tableRows.filter((_, i) => rows[i]!.suite === s);
    const open = wantedAll.includes('1') || wantedAll.includes(s) || of.some((r) => r.caseId === wantedCase);
    return sectionOf(view, s, of, open);
  });
  // The chart draws what the tables show: the rows that matter, or all of an opened suite.
  const drawn = new Set(model.table.sections.flatMap((s) => s.shown));
  const collapsed = model.table.sections.every((s) => !s.open);
  model.chart = ratioChart(
    view,
    mostChanged(
      rows.filter((r) => drawn.has(r.caseId)),
      collapsed ? BARS_SHOWN : rows.length,
    ),
    byModes,
    rows.filter((r) => r.ratio !== null).length,
  );
  return model;
}
