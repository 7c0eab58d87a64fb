/**
 * History's model: one case over time on one machine, one line per mode,
 * with the medians' 95% CIs, the detector's changes and the notes as marks,
 * the visible range and scale from the URL, and the latest points as rows.
 *
 * URL state: `machine`, `case` (`suite/benchmark[params]`), `modes` (names
 * or ids, comma-separated), `from`/`to` (ms since the epoch, the visible
 * range), `at` (a time to mark, e.g. a regression's start), `scale=log`.
 *
 * @example
 * const model = historyModel(await loadHistory(api, state), state);
 * model.chart?.lines.map((l) => l.modeId) // ['cpython-3.13.5/gil', 'cpython-3.13.5t/nogil']
 */
import type { Annotation, HistoryPoint, HistoryView, MachineInfo, Regression, SeriesInfo } from '../../api.ts';
import { formatChange, formatNs, formatRuntimeChange, formatTime } from '../../format.ts';
import { listParam, type RouteParams } from '../../route.ts';
import {
  type ChartMark,
  type Empty,
  type Link,
  machineSelect,
  measureCommand,
  modeName,
  noRunsYet,
  runtimeChangeMark,
  type Select,
} from '../shared/model.ts';
import type { ViewState } from '../types.ts';

/** What `loadHistory` found: the machines, the one shown, its series and the chosen series' histories. */
export interface HistoryData {
  machines: MachineInfo[];
  machine: MachineInfo | undefined;
  series: SeriesInfo[];
  histories: HistoryView[];
}

/** A case's display id, as in the run document: `suite/benchmark[k=v,…]`. */
export function seriesCaseId(s: Pick<SeriesInfo, 'suite' | 'benchmark' | 'caseKey'>): string {
  return s.caseKey ? `${s.suite}/${s.benchmark}[${s.caseKey}]` : `${s.suite}/${s.benchmark}`;
}

/** Above this many points, CI bars become a band (bars need parsing, decimation needs none). */
export const MAX_POINTS_WITH_BARS = 1500;
/** The label suffix of a CI band's datasets (left out of the legend). */
export const CI_SUFFIX = '95% CI';

export const HISTORY_LEAD =
  'One case over time, one line per mode. Markers: changes the detector found (red slower, green faster), notes, and where the runtime changed (a release or build kind; purple).';

/** The longest history of `caseId` among `series` (0 when it has none). */
export function caseLength(series: readonly SeriesInfo[], caseId: string): number {
  return Math.max(0, ...series.filter((s) => seriesCaseId(s) === caseId).map((s) => s.points));
}

/** Which case and modes the page shows, from the machine's series and the URL. */
export interface CaseChoice {
  caseIds: string[];
  caseId: string;
  /** The case's series, one per mode. */
  inCase: SeriesInfo[];
  /** The ones drawn (all of `inCase` unless `modes=` names some). */
  chosen: SeriesInfo[];
  wantedModes: string[];
}

/**
 * The case named by `case=`, else the one with the longest history (a one-run
 * case draws nothing); the modes named by `modes=`, else all. Null without series.
 */
export function chooseCase(series: readonly SeriesInfo[], params: URLSearchParams): CaseChoice | null {
  if (series.length === 0) return null;
  const byCase = new Map<string, SeriesInfo[]>();
  for (const s of series) {
    const id = seriesCaseId(s);
    byCase.set(id, [...(byCase.get(id) ?? []), s]);
  }
  const caseIds = [...byCase.keys()].sort();
  const wantedCase = params.get('case');
  const longest = (id: string) => Math.max(...byCase.get(id)!.map((s) => s.points));
  const caseId =
    wantedCase && byCase.has(wantedCase)
      ? wantedCase
      : caseIds.reduce((best, id) => (longest(id) > longest(best) ? id : best));
  const inCase = byCase.get(caseId)!;
  const wantedModes = listParam(params, 'modes');
  const chosen = wantedModes.length
    ? inCase.filter((s) => wantedModes.includes(s.modeId) || wantedModes.includes(s.mode))
    : inCase;
  return { caseIds, caseId, inCase, chosen, wantedModes };
}

/** The mode check boxes: one per series of the case. */
export interface ModeToggles {
  options: Array<{ modeId: string; checked: boolean }>;
}

/**
 * The URL change when a mode box is ticked or cleared: all modes ticked means no `modes=`.
 * @example modesChange(toggles, 'cpython-3.13.5t/nogil', false) // { modes: ['cpython-3.13.5/gil'] }
 */
export function modesChange(toggles: ModeToggles, modeId: string, checked: boolean): RouteParams {
  const ticked = toggles.options.filter((o) => o.checked);
  const next = new Set((ticked.length ? ticked : toggles.options).map((o) => o.modeId));
  if (checked) next.add(modeId);
  else next.delete(modeId);
  return { modes: next.size === toggles.options.length ? undefined : [...next] };
}

/** A vertical line on the chart: a detected change, a note, or the time `at=` marks. */
export type HistoryMark = ChartMark;

/** One dataset: a mode's medians, or one edge of its CI band on a long history. */
export interface HistoryDataset {
  label: string;
  /** The mode's name (for its colour) and its place among the lines. */
  mode: string;
  index: number;
  role: 'line' | 'ci-low' | 'ci-high';
  points: Array<{ x: number; y: number | null; yMin?: number | null; yMax?: number | null }>;
  /** Points are dots only on short lines. */
  dots: boolean;
}

export interface HistoryChart {
  title: string;
  /** CI as error bars (short histories) or as a band (long ones, decimated). */
  bars: boolean;
  from?: number;
  to?: number;
  log: boolean;
  datasets: HistoryDataset[];
  marks: HistoryMark[];
}

export interface RecentRow {
  time: string;
  modeId: string;
  mode: string;
  median: string;
  ci: string;
  run: Link;
}

export interface HistoryModel {
  lead: string;
  /** The page with no machine at all. */
  noMachine: Empty | null;
  machine: Select | null;
  caseSelect: Select | null;
  modes: ModeToggles | null;
  scale: Select | null;
  /** Shown instead of the chart and the table. */
  empty: Empty | null;
  /** Shown instead of the chart when the longest line has one point. */
  onlyOneRun: Empty | null;
  chart: HistoryChart | null;
  summary: { points: number; text: string } | null;
  /** The newest 15 of the last 5 points of each line, newest first. */
  recent: RecentRow[];
}

function uniqueById<T extends { id: number }>(items: readonly T[]): T[] {
  return [...new Map(items.map((x) => [x.id, x])).values()];
}

/** Where a series' runtime changed (a release or build kind): one mark per time and change. */
type RuntimeChangeMark = NonNullable<HistoryView['runtimeChanges']>[number];

function marksOf(
  regressions: readonly Regression[],
  annotations: readonly Annotation[],
  runtimeChanges: readonly RuntimeChangeMark[],
  at?: number,
): HistoryMark[] {
  const marks: HistoryMark[] = regressions.map((r) => ({
    key: `reg-${r.id}`,
    at: r.startedAt,
    color: r.kind === 'regression' ? '#c92a2a' : '#2b8a3e',
    width: r.startedAt === at ? 3 : 1.5,
    // A change where the runtime changed is the runtime's until shown otherwise.
    label: {
      text: `${formatChange(r.change)} ${modeName(r.modeId)} (${r.status})${r.runtimeChange ? ` at ${formatRuntimeChange(r.runtimeChange)}` : ''}`,
      position: 'start',
    },
  }));
  const labels = new Map<string, RuntimeChangeMark>();
  for (const c of runtimeChanges) labels.set(`${c.at}\u0000${formatRuntimeChange(c)}`, c);
  for (const c of labels.values()) marks.push(runtimeChangeMark(c.at, formatRuntimeChange(c)));
  for (const a of annotations)
    marks.push({
      key: `note-${a.id}`,
      at: a.at,
      color: '#495057',
      dash: [3, 3],
      width: 1,
      label: { text: a.text.slice(0, 60), position: 'end' },
    });
  if (at && !regressions.some((r) => r.startedAt === at)) marks.push({ key: 'at', at, color: '#e67700', width: 2 });
  return marks;
}

function chartOf(
  histories: readonly HistoryView[],
  regressions: Regression[],
  annotations: Annotation[],
  caseId: string,
  params: URLSearchParams,
): HistoryChart {
  const runtimeChanges = histories.flatMap((x) => x.runtimeChanges ?? []);
  const total = histories.reduce((n, x) => n + x.points.length, 0);
  const bars = total <= MAX_POINTS_WITH_BARS;
  // Error bars need Chart.js's parsing, which decimation must skip: long histories get a band instead.
  const datasets = histories.flatMap((hv, index): HistoryDataset[] => {
    const base = { mode: hv.series.mode, index, dots: hv.points.length <= 200 };
    const line: HistoryDataset = {
      ...base,
      label: hv.series.modeId,
      role: 'line',
      points: hv.points.map((p) =>
        bars ? { x: p.at, y: p.median, yMin: p.ciLow, yMax: p.ciHigh } : { x: p.at, y: p.median },
      ),
    };
    if (bars) return [line];
    const band = (key: 'ciLow' | 'ciHigh'): HistoryDataset => ({
      ...base,
      label: `${hv.series.modeId} ${CI_SUFFIX}`,
      role: key === 'ciLow' ? 'ci-low' : 'ci-high',
      points: hv.points.map((p: HistoryPoint) => ({ x: p.at, y: p[key] })),
    });
    return [line, band('ciLow'), band('ciHigh')];
  });
  return {
    title: `${caseId}: ns per operation over time`,
    bars,
    from: Number(params.get('from')) || undefined,
    to: Number(params.get('to')) || undefined,
    log: params.get('scale') === 'log',
    datasets,
    marks: marksOf(regressions, annotations, runtimeChanges, Number(params.get('at')) || undefined),
  };
}

function recentRows(histories: readonly HistoryView[]): RecentRow[] {
  const rows = histories.flatMap((hv) => hv.points.slice(-5).map((p) => ({ mode: hv.series.modeId, p })));
  rows.sort((a, b) => b.p.at - a.p.at);
  const machine = String(histories[0]?.series.machineId ?? '');
  return rows.slice(0, 15).map(({ mode, p }) => ({
    time: formatTime(p.at),
    modeId: mode,
    mode: modeName(mode),
    median: formatNs(p.median),
    ci: p.median === null ? p.status : `${formatNs(p.ciLow)} – ${formatNs(p.ciHigh)}`,
    run: { view: 'machines', params: { machine, run: p.runId }, text: p.runId.slice(0, 8) },
  }));
}

/** What the history page shows, from what `loadHistory` found and the URL. */
export function historyModel(data: HistoryData, state: ViewState): HistoryModel {
  const model: HistoryModel = {
    lead: HISTORY_LEAD,
    noMachine: null,
    machine: null,
    caseSelect: null,
    modes: null,
    scale: null,
    empty: null,
    onlyOneRun: null,
    chart: null,
    summary: null,
    recent: [],
  };
  if (!data.machine) return { ...model, noMachine: noRunsYet(state) };
  model.machine = machineSelect(data.machines, data.machine);
  const choice = chooseCase(data.series, state.params);
  if (!choice)
    return {
      ...model,
      empty: {
        title: 'This machine has no results yet.',
        advice: [
          'Every case and mode it measures becomes a series here; measure with ',
          measureCommand(state, 'single-thread,scaling,calls,locks'),
          '.',
        ],
      },
    };
  const { caseIds, caseId, inCase, chosen, wantedModes } = choice;
  model.caseSelect = {
    label: 'Case',
    name: 'case',
    options: caseIds.map((c) => ({ value: c, label: c })),
    value: caseId,
    param: 'case',
    clear: ['from', 'to', 'at'],
  };
  model.modes = { options: inCase.map((s) => ({ modeId: s.modeId, checked: chosen.includes(s) })) };
  model.scale = {
    label: 'Scale',
    name: 'scale',
    options: [
      { value: '', label: 'linear' },
      { value: 'log', label: 'logarithmic' },
    ],
    value: state.params.get('scale') === 'log' ? 'log' : '',
    param: 'scale',
    replace: true,
  };
  if (chosen.length === 0)
    return {
      ...model,
      empty: {
        title: `No ${wantedModes.join(', ')} series for this case.`,
        advice: [`It was measured in ${inCase.map((s) => s.modeId).join(', ')}; tick one of them above.`],
      },
    };

  // Each history carries the changes and notes in its range; notes on the machine repeat per series.
  const histories = data.histories;
  const regressions = uniqueById<Regression>(histories.flatMap((x) => x.regressions ?? []));
  const annotations = uniqueById<Annotation>(histories.flatMap((x) => x.annotations ?? []));
  const points = histories.reduce((n, x) => n + x.points.length, 0);
  const longest = Math.max(...histories.map((x) => x.points.length));
  const stored = histories.reduce((n, x) => n + x.series.points, 0);
  if (longest < 2)
    model.onlyOneRun = {
      title: 'Only one run so far.',
      advice: [
        'A history needs at least two runs of this case; measure the same suite again (nightly, with ',
        { code: 'gilbench agent --schedule "0 3 * * *"' },
        ') and the line appears.',
      ],
    };
  else model.chart = chartOf(histories, regressions, annotations, caseId, state.params);
  model.summary = {
    points,
    text:
      `${points} points in ${histories.length} series; ${regressions.length} detected change(s), ${annotations.length} note(s).` +
      (stored > points ? ` The server sends the newest ${points} of ${stored} points; older ones are left out.` : ''),
  };
  model.recent = recentRows(histories);
  return model;
}
