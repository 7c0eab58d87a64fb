/**
 * Calls and locks' model: ns per call against arity per mode (one chart per
 * call kind), and read cost against threads, with a lock against without,
 * per mode (one chart per locks benchmark). Error bars are the medians' 95% CIs.
 *
 * URL state: `machine`, `run` (default: the newest run with calls or locks).
 *
 * @example callsModel(data, state).calls[0]?.title // 'calls/call-python: ns per call by arity'
 */
import { linesOver, type XYLine } from '../../analysis.ts';
import type { MachineInfo, ResultRow, RunDetail, RunInfo } from '../../api.ts';
import { formatNs } from '../../format.ts';
import {
  type Empty,
  machineSelect,
  measureCommand,
  modeName,
  noRunsYet,
  runSelect,
  type Select,
} from '../shared/model.ts';
import type { ViewState } from '../types.ts';

export interface CallsData {
  machines: MachineInfo[];
  machine: MachineInfo | undefined;
  runs: RunInfo[];
  /** The run shown, in detail. */
  run: RunDetail | null;
}

/** Whether a run has something this page draws. */
export function hasCallsOrLocks(run: RunDetail): boolean {
  return run.results.some((x) => 'arity' in x.params || x.suite === 'locks');
}

export interface LineChartModel {
  id: string;
  title: string;
  /** The headline a closed section shows: each line's value at the largest x. */
  summary: string;
  /** Drawn only when open (`open=ID,…` or `open=all` in the URL). */
  open: boolean;
  xLabel: string;
  yLabel: string;
  lines: Array<{
    label: string;
    mode: string;
    index: number;
    /** The lock kind (`none` without one): its line style. */
    lock: string;
    points: Array<{ x: number; y: number; yMin: number; yMax: number }>;
  }>;
}

export interface CallsModel {
  lead: string;
  noMachine: Empty | null;
  controls: Select[];
  empty: Empty | null;
  calls: LineChartModel[];
  noCalls: Empty;
  locks: LineChartModel[];
  noLocks: Empty;
}

export const CALLS_LEAD =
  'What a call costs by number of arguments, and what a lock costs readers as threads are added, in each mode.';

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

function withoutKey(params: ResultRow['params'], key: string): ResultRow['params'] {
  const { [key]: _dropped, ...rest } = params;
  return rest;
}

/** A line's legend: its mode and the parameters that tell it apart. */
export function lineLabel(line: XYLine): string {
  const rest = Object.entries(line.params)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');
  return `${modeName(line.mode)}${rest ? ` · ${rest}` : ''}`;
}

/** `at arity 4: gil 60 ns, nogil 75 ns`: each line's last point. */
function summaryOf(lines: readonly XYLine[], xName: string): string {
  const most = Math.max(...lines.flatMap((l) => l.points.map((p) => p.x)));
  const at = lines
    .map((l) => {
      const p = l.points.find((q) => q.x === most);
      return p ? `${lineLabel(l)} ${formatNs(p.y)}` : null;
    })
    .filter(Boolean);
  return `at ${xName} ${most}: ${at.join(', ')}`;
}

function chartOf(
  title: string,
  id: string,
  lines: XYLine[],
  xLabel: string,
  yLabel: string,
  open: ReadonlySet<string>,
): LineChartModel {
  return {
    id,
    title,
    summary: summaryOf(lines, xLabel.split(' ')[0] === 'arguments' ? 'arity' : xLabel),
    open: open.has('all') || open.has(id),
    xLabel,
    yLabel,
    lines: lines.map((line, index) => ({
      label: lineLabel(line),
      mode: line.mode,
      index,
      lock: line.params.lock === undefined ? 'none' : String(line.params.lock),
      points: line.points.map((p) => ({ x: p.x, y: p.y, yMin: p.low, yMax: p.high })),
    })),
  };
}

export function callsModel(data: CallsData, state: ViewState): CallsModel {
  const model: CallsModel = {
    lead: CALLS_LEAD,
    noMachine: null,
    controls: [],
    empty: null,
    calls: [],
    locks: [],
    noCalls: {
      title: 'This run has no benchmark with an arity parameter.',
      advice: ['Pick another run above, or measure the calls suite: ', measureCommand(state, 'calls'), '.'],
    },
    noLocks: {
      title: 'This run has no locks suite.',
      advice: ['Pick another run above, or measure the locks suite: ', measureCommand(state, 'locks'), '.'],
    },
  };
  if (!data.machine) return { ...model, noMachine: noRunsYet(state) };
  model.controls.push(machineSelect(data.machines, data.machine));
  const run = data.run;
  if (!run)
    return {
      ...model,
      empty: {
        title: 'This machine has no run yet.',
        advice: ['Measure the calls and locks suites on it: ', measureCommand(state, 'calls,locks'), '.'],
      },
    };
  model.controls.push(runSelect('Run', 'run', data.runs, run.id));
  const open = new Set((state.params.get('open') ?? '').split(','));
  let i = 0;
  for (const [name, rows] of byBenchmark(run.results, (r) => 'arity' in r.params)) {
    const lines = linesOver(rows, 'arity', (r) => !('threads' in r.params) || Number(r.params.threads) === 1);
    if (lines.length)
      model.calls.push(
        chartOf(`${name}: ns per call by arity`, `calls-${i++}`, lines, 'arguments (arity)', 'ns per call', open),
      );
  }
  const locks = byBenchmark(run.results, (r) => r.suite === 'locks' && 'threads' in r.params, ['writer']);
  for (const [name, rows] of locks) {
    const lines = linesOver(
      rows.map((r) => ({ ...r, params: withoutKey(r.params, 'writer') })),
      'threads',
    );
    if (lines.length)
      model.locks.push(
        chartOf(`${name}: ns per read by threads`, `locks-${i++}`, lines, 'threads', 'ns per read (each thread)', open),
      );
  }
  return model;
}
