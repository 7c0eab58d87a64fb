/**
 * Trends' model: one machine's headline numbers run by run, one chart per
 * headline (single-thread overhead, memory, scaling against gil, call
 * overhead, lock cost), each point with its 95% CI, a dashed mark where a
 * runtime changed (a release or a build kind, as the history view marks
 * it), a notice when runs rest on the quick profile or many unstable
 * results, and the newest runs as a table. The numbers are the server's
 * (`GET /machines/:id/trends`, harness/stats/headlines.ts): the ones the
 * overview shows for the same run.
 *
 * URL state: `machine`, `limit` (the newest 100, 300 or 1000 runs).
 *
 * @example trendsModel(data, state).charts.map((c) => c.id) // ['overhead', 'memory', 'scaling', 'calls', 'locks']
 */
import type { MachineInfo, TrendRun } from '../../api.ts';
import { formatRatio, formatRatioCi, formatRuntimeChange, formatTime } from '../../format.ts';
import {
  type ChartMark,
  type Empty,
  machineSelect,
  measureCommand,
  noRunsYet,
  plural,
  runCaveats,
  runtimeChangeMark,
  runtimeChangesText,
  runtimesText,
  type Select,
} from '../shared/model.ts';
import type { ViewState } from '../types.ts';

/** How many of the newest runs the page may ask for; the first is the default. */
export const TREND_LIMITS = [100, 300, 1000] as const;
/** Rows of the table on the page (every run is in the view's data download). */
export const TABLE_ROWS = 10;

export interface TrendsData {
  machines: MachineInfo[];
  machine: MachineInfo | undefined;
  limit: number;
  /** Newest first, as the API sends them. */
  runs: TrendRun[];
}

type HeadlineValue = { value: number; ciLow: number; ciHigh: number } | null;
type Headlines = TrendRun['headlines'];

export interface TrendPoint {
  x: number;
  y: number;
  yMin: number;
  yMax: number;
  /** What the point rests on, for its tooltip: the run, its profile, unstable results, runtimes. */
  note: string;
}

export interface TrendLine {
  label: string;
  mode: string;
  index: number;
  points: TrendPoint[];
}

export interface TrendChart {
  id: string;
  title: string;
  axisTitle: string;
  lines: TrendLine[];
  marks: ChartMark[];
}

/** One run as the table (and the CSV) shows it: formatted text, CIs in brackets. */
export interface TrendRow {
  runId: string;
  started: string;
  profile: string;
  unstable: string;
  runtimes: string;
  overhead: string;
  memory: string;
  scaling: string;
  calls: string;
  lockGil: string;
  lockNogil: string;
}

export interface TrendsModel {
  lead: string;
  noMachine: Empty | null;
  controls: Select[];
  empty: Empty | null;
  /** Shown above the charts when runs rest on the quick profile or many unstable results. */
  notice: string | null;
  /** `A trend needs a second run` and the like. */
  note: string | null;
  charts: TrendChart[];
  /** Where a runtime changed, oldest first (also marked on every chart). */
  runtimeChanges: Array<{ at: number; when: string; runId: string; text: string }>;
  machineId: number | null;
  /** Every run, newest first; the page shows the first `TABLE_ROWS`. */
  rows: TrendRow[];
}

export const TRENDS_LEAD =
  'The headline numbers of each run over time, with 95% CIs: the same numbers the overview shows for a run. A dashed purple line marks where the runtime changed (a CPython release or build kind).';

interface ChartSpec {
  id: string;
  title: string;
  axisTitle: string;
  lines: Array<{ label: string; mode: string; pick: (h: Headlines) => HeadlineValue }>;
}

const CHART_SPECS: readonly ChartSpec[] = [
  {
    id: 'overhead',
    title: 'Single-thread overhead nogil/gil (geometric mean, 95% CI)',
    axisTitle: 'nogil / gil time (above 1: slower)',
    lines: [{ label: 'nogil / gil', mode: 'nogil', pick: (h) => h.overhead }],
  },
  {
    id: 'memory',
    title: 'Memory nogil/gil (peak RSS, geometric mean over cases)',
    axisTitle: 'nogil / gil peak RSS',
    lines: [
      {
        label: 'nogil / gil',
        mode: 'nogil',
        pick: (h) => (h.memory ? { value: h.memory.value, ciLow: h.memory.value, ciHigh: h.memory.value } : null),
      },
    ],
  },
  {
    id: 'scaling',
    title: 'Scaling against gil at the most threads (nogil, 95% CI)',
    axisTitle: 'work/s ÷ gil on 1 thread',
    lines: [{ label: 'nogil ÷ gil on 1 thread', mode: 'nogil', pick: (h) => h.scaling }],
  },
  {
    id: 'calls',
    title: 'Call overhead nogil/gil (geometric mean over call kinds and arities, 95% CI)',
    axisTitle: 'nogil / gil per call',
    lines: [{ label: 'nogil / gil', mode: 'nogil', pick: (h) => h.calls }],
  },
  {
    id: 'locks',
    title: 'Lock cost: Lock ÷ lock-free read, no writer, at the most threads (95% CI)',
    axisTitle: 'read ÷ lock-free read',
    lines: [
      { label: 'gil', mode: 'gil', pick: (h) => h.locks?.gil ?? null },
      { label: 'nogil', mode: 'nogil', pick: (h) => h.locks?.nogil ?? null },
    ],
  },
];

/** A run rests on the quick profile or on many unstable results (the overview's rule; a trend has no busy flag). */
const needsCare = (run: TrendRun) => runCaveats({ ...run, warnings: [] }).caution;

function gilAndNogil(run: TrendRun) {
  return run.modes.filter((m) => m.mode === 'gil' || m.mode === 'nogil');
}

function noteOf(run: TrendRun): string {
  return [
    formatTime(run.startedAt),
    `profile ${run.profile}`,
    `${run.unstableResults} of ${plural(run.resultCount, 'result')} unstable`,
    runtimesText(gilAndNogil(run)),
  ].join(' · ');
}

/** Where the gil or the nogil mode's runtime differs from the run before (runs oldest first). */
export function runtimeChangesOf(
  oldestFirst: readonly TrendRun[],
): Array<{ at: number; runId: string; from: string; to: string }> {
  const changes: Array<{ at: number; runId: string; from: string; to: string }> = [];
  for (let i = 1; i < oldestFirst.length; i++) {
    const before = oldestFirst[i - 1]!;
    const run = oldestFirst[i]!;
    for (const name of ['gil', 'nogil'] as const) {
      const from = before.modes.find((m) => m.mode === name);
      const to = run.modes.find((m) => m.mode === name);
      if (from && to && from.id !== to.id)
        changes.push({ at: run.startedAt, runId: run.runId, from: from.id, to: to.id });
    }
  }
  return changes;
}

const ci = (h: HeadlineValue) => (h ? formatRatioCi(h.value, h.ciLow, h.ciHigh) : '–');

function rowOf(run: TrendRun): TrendRow {
  const h = run.headlines;
  return {
    runId: run.runId,
    started: formatTime(run.startedAt),
    profile: run.profile,
    unstable: `${run.unstableResults} of ${run.resultCount}`,
    runtimes: runtimesText(gilAndNogil(run)),
    overhead: ci(h.overhead),
    memory: formatRatio(h.memory?.value ?? null),
    scaling: h.scaling ? `${ci(h.scaling)} at ${h.scaling.threads} threads` : '–',
    calls: ci(h.calls),
    lockGil: ci(h.locks?.gil ?? null),
    lockNogil: ci(h.locks?.nogil ?? null),
  };
}

/** The `limit=` of the URL when it is one the page offers, else the default. */
export function trendLimit(params: URLSearchParams): number {
  const wanted = Number(params.get('limit'));
  return (TREND_LIMITS as readonly number[]).includes(wanted) ? wanted : TREND_LIMITS[0];
}

export function trendsModel(data: TrendsData, state: ViewState): TrendsModel {
  const base: TrendsModel = {
    lead: TRENDS_LEAD,
    noMachine: null,
    controls: [],
    empty: null,
    notice: null,
    note: null,
    charts: [],
    runtimeChanges: [],
    rows: [],
    machineId: data.machine?.id ?? null,
  };
  if (!data.machine) return { ...base, noMachine: noRunsYet(state) };
  const controls: Select[] = [
    machineSelect(data.machines, data.machine),
    {
      label: 'Runs',
      name: 'limit',
      options: TREND_LIMITS.map((n) => ({ value: String(n), label: `newest ${n}` })),
      value: String(data.limit),
      param: 'limit',
    },
  ];
  const measure = measureCommand(state, 'single-thread,scaling,calls,locks');
  if (data.runs.length === 0)
    return {
      ...base,
      controls,
      empty: {
        title: 'This machine has no run yet.',
        advice: ['A trend needs runs; measure on it with ', measure, '.'],
      },
    };
  const oldestFirst = [...data.runs].sort((a, b) => a.startedAt - b.startedAt);
  const changes = runtimeChangesOf(oldestFirst);
  // One mark per time: a release changes gil's and nogil's runtime at once, and two labels would overlap.
  const times = [...new Set(changes.map((c) => c.at))];
  const marks = times.map((at) => runtimeChangeMark(at, runtimeChangesText(changes.filter((c) => c.at === at))));
  const charts = CHART_SPECS.map(
    (spec): TrendChart => ({
      id: spec.id,
      title: spec.title,
      axisTitle: spec.axisTitle,
      marks,
      lines: spec.lines.map((line, index) => ({
        label: line.label,
        mode: line.mode,
        index,
        points: oldestFirst.flatMap((run) => {
          const h = line.pick(run.headlines);
          return h ? [{ x: run.startedAt, y: h.value, yMin: h.ciLow, yMax: h.ciHigh, note: noteOf(run) }] : [];
        }),
      })),
    }),
  );
  if (charts.every((c) => c.lines.every((l) => l.points.length === 0)))
    return {
      ...base,
      controls,
      empty: {
        title: `None of this machine's ${plural(data.runs.length, 'run')} has a headline number.`,
        advice: ['Headlines compare the free-threaded build with the default one; measure both with ', measure, '.'],
      },
    };
  const careful = data.runs.filter(needsCare).length;
  return {
    ...base,
    controls,
    notice: careful
      ? `${careful} of ${plural(data.runs.length, 'run')} rest on the quick profile or many unstable results: take their points with care (hover a point for what it rests on).`
      : null,
    note: data.runs.length === 1 ? 'A trend needs a second run: this is the only one.' : null,
    charts: charts.filter((c) => c.lines.some((l) => l.points.length > 0)),
    runtimeChanges: changes.map((c) => ({
      at: c.at,
      when: formatTime(c.at),
      runId: c.runId,
      text: formatRuntimeChange(c),
    })),
    rows: data.runs.map(rowOf),
  };
}
