/**
 * Scaling's model: speedup against threads per workload, one line per mode
 * with its 95% CI and the ideal line, and an efficiency table (efficiency =
 * t(1) / t(n) for weak-scaling kernels, 100% = ideal). The curves and their
 * CIs are the server's (`GET /runs/:id/scaling`).
 *
 * URL state: `machine`, `run` (default: the newest run with threaded
 * benchmarks), `workload` (one workload, or all).
 *
 * @example scalingModel(data, state).charts[0]?.lines.map((l) => l.label) // ['gil', 'nogil', 'ft-gil']
 */

import type { ThroughputCurve } from '../../../../harness/stats/throughput.ts';
import { hasScaling, type ScalingGroup, workloadKey } from '../../analysis.ts';
import type { MachineInfo, RunInfo } from '../../api.ts';
import { formatNs, formatPercent, formatRatio, formatRatioCi } from '../../format.ts';
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

export interface ScalingData {
  machines: MachineInfo[];
  machine: MachineInfo | undefined;
  runs: RunInfo[];
  /** The run shown and its curves. */
  run: RunInfo | undefined;
  curves: ScalingGroup[];
  /** Throughput against gil on one thread (computed from the run's samples). */
  throughput: ThroughputCurve[];
}

export interface ThroughputChart {
  id: string;
  title: string;
  workload: string;
  maxThreads: number;
  lines: SpeedupChart['lines'];
}

export interface ThroughputRow {
  workload: string;
  modeId: string;
  mode: string;
  /** One cell per thread count, 1 included. */
  cells: Array<{ threads: number; text: string; title: string }>;
}

export interface SpeedupChart {
  id: string;
  title: string;
  maxThreads: number;
  lines: Array<{
    label: string;
    mode: string;
    index: number;
    points: Array<{ x: number; y: number; yMin: number; yMax: number }>;
  }>;
}

export interface EfficiencyRow {
  workload: string;
  modeId: string;
  mode: string;
  oneThread: string;
  /** One cell per thread count above 1. */
  cells: Array<{ text: string; title: string }>;
}

/** One benchmark's workloads (its lock variants and other parameters), collapsed unless opened. */
export interface ScalingSection {
  /** `suite/benchmark`: what `open=` names. */
  key: string;
  /** The section's headline: each mode's speedup at the most threads on its first workload. */
  summary: string;
  workloads: string[];
  open: boolean;
}

export interface ScalingModel {
  lead: string[];
  noMachine: Empty | null;
  controls: Select[];
  /** Instead of everything below the pickers. */
  empty: Empty | null;
  /** Above the charts when only 1 thread was measured. */
  oneThread: Empty | null;
  charts: SpeedupChart[];
  threadCounts: number[];
  rows: EfficiencyRow[];
  /** Work per second against gil on one thread, per workload (drawn beside each speedup chart). */
  throughputCharts: ThroughputChart[];
  throughputRows: ThroughputRow[];
  /** The one efficiency definition the page uses. */
  efficiencyNote: string;
  /** One per benchmark; charts and throughput exist for the open ones only. */
  sections: ScalingSection[];
}

/** A workload's section: `suite/benchmark` (the workload without its parameters). */
export function sectionKey(g: Pick<ScalingGroup, 'suite' | 'benchmark'>): string {
  return `${g.suite}/${g.benchmark}`;
}

/**
 * The sections the URL opens: `open=KEY,KEY` (or `all`), the section of a named `workload`,
 * and the only one when there is one.
 * @example openSections(new URLSearchParams('open=scaling/shared-dict-read'), curves) // Set { 'scaling/shared-dict-read' }
 */
export function openSections(params: URLSearchParams, curves: readonly ScalingGroup[]): Set<string> {
  const keys = new Set(curves.map(sectionKey));
  const asked = (params.get('open') ?? '').split(',');
  if (asked.includes('all') || keys.size === 1) return keys;
  const open = new Set(asked.filter((k) => keys.has(k)));
  const workload = params.get('workload');
  const named = workload ? curves.find((g) => workloadKey(g.suite, g.benchmark, g.params) === workload) : undefined;
  if (named) open.add(sectionKey(named));
  return open;
}

function sectionSummary(workloads: Map<string, ScalingGroup[]>): string {
  const [first, groups] = [...workloads][0]!;
  const most = Math.max(...groups.flatMap((g) => g.points.map((p) => p.threads)));
  const at = groups
    .map((g) => {
      const p = g.points.find((q) => q.threads === most);
      return p ? `${modeName(g.mode)} ${formatRatio(p.speedup)}` : null;
    })
    .filter(Boolean);
  const variants = workloads.size > 1 ? ` (${first}; ${workloads.size} variants inside)` : '';
  return `speedup at ${most} thread${most > 1 ? 's' : ''}: ${at.join(', ')}${variants}`;
}

export const SCALING_LEAD = [
  'Each thread does the same work; t(n) is the time per operation per thread at n threads. ',
  'Against gil on 1 thread = n · t_gil(1) / t_mode(n): how much more work per second than the GIL build on one thread (above 1 = more). ',
  'Speedup over its own 1 thread = n · t_mode(1) / t_mode(n); the dashed line is perfect scaling. Bars are 95% CIs.',
];

export const EFFICIENCY_NOTE =
  'Efficiency = speedup over its own 1 thread ÷ threads = t(1) / t(n): 100% = perfect scaling, 1 ÷ threads = no gain. Hover a cell for the speedup and its CI.';

/** Curves by workload, the scaling suite first (it is what this page is for), then by name. */
export function byWorkload(curves: readonly ScalingGroup[]): Map<string, ScalingGroup[]> {
  const map = new Map<string, ScalingGroup[]>();
  for (const g of curves) {
    const key = workloadKey(g.suite, g.benchmark, g.params);
    map.set(key, [...(map.get(key) ?? []), g]);
  }
  const order = [...map.keys()].sort(
    (a, b) => Number(!a.startsWith('scaling/')) - Number(!b.startsWith('scaling/')) || a.localeCompare(b),
  );
  return new Map(order.map((k) => [k, map.get(k)!]));
}

function speedupChart(workload: string, groups: readonly ScalingGroup[], index: number): SpeedupChart {
  return {
    id: `scaling-${index}`,
    title: workload,
    maxThreads: Math.max(...groups.flatMap((g) => g.points.map((p) => p.threads))),
    lines: groups.map((g, i) => ({
      label: modeName(g.mode),
      mode: g.mode,
      index: i,
      points: g.points.map((p) => ({ x: p.threads, y: p.speedup, yMin: p.ciLow, yMax: p.ciHigh })),
    })),
  };
}

function throughputChart(workload: string, curves: readonly ThroughputCurve[], index: number): ThroughputChart {
  return {
    id: `throughput-${index}`,
    title: `${workload}: against gil on 1 thread`,
    workload,
    maxThreads: Math.max(...curves.flatMap((c) => c.points.map((p) => p.threads))),
    lines: curves.map((c, i) => ({
      label: modeName(c.mode),
      mode: c.mode,
      index: i,
      points: c.points.map((p) => ({ x: p.threads, y: p.ratio, yMin: p.ciLow, yMax: p.ciHigh })),
    })),
  };
}

function throughputRows(
  curves: readonly ThroughputCurve[],
  workloads: readonly string[],
  modes: readonly string[],
  threadCounts: readonly number[],
): ThroughputRow[] {
  const rows: ThroughputRow[] = [];
  for (const workload of workloads)
    for (const mode of modes) {
      const c = curves.find((x) => x.workload === workload && x.mode === mode);
      if (!c) continue;
      rows.push({
        workload,
        modeId: mode,
        mode: modeName(mode),
        cells: threadCounts.map((n) => {
          const p = c.points.find((q) => q.threads === n);
          if (!p) return { threads: n, text: '–', title: 'no usable result at this thread count' };
          if (n === 1 && mode === c.reference)
            return { threads: n, text: '1×', title: 'the reference: gil on 1 thread' };
          return {
            threads: n,
            text: formatRatioCi(p.ratio, p.ciLow, p.ciHigh),
            title: `${n} × t_gil(1) / t(${n}): ${p.ratio >= 1 ? 'more' : 'less'} work per second than gil on 1 thread`,
          };
        }),
      });
    }
  return rows;
}

function efficiencyRows(
  shown: Map<string, ScalingGroup[]>,
  modes: readonly string[],
  threadCounts: number[],
): EfficiencyRow[] {
  const rows: EfficiencyRow[] = [];
  for (const [workload, groups] of shown) {
    for (const mode of modes) {
      const g = groups.find((x) => x.mode === mode);
      if (!g) continue;
      const at = (n: number) => g.points.find((p) => p.threads === n);
      rows.push({
        workload,
        modeId: mode,
        mode: modeName(mode),
        oneThread: formatNs(at(1)?.medianNs),
        cells: threadCounts
          .filter((n) => n > 1)
          .map((n) => {
            const p = at(n);
            return p
              ? {
                  text: formatPercent(p.efficiency, 0),
                  title: `speedup ${formatRatioCi(p.speedup, p.ciLow, p.ciHigh)} over ${formatNs(at(1)?.medianNs)} on 1 thread; ${formatNs(p.medianNs)} per operation per thread`,
                }
              : { text: '–', title: 'no usable result at this thread count' };
          }),
      });
    }
  }
  return rows;
}

export function scalingModel(data: ScalingData, state: ViewState): ScalingModel {
  const model: ScalingModel = {
    lead: SCALING_LEAD,
    noMachine: null,
    controls: [],
    empty: null,
    oneThread: null,
    charts: [],
    threadCounts: [],
    rows: [],
    throughputCharts: [],
    throughputRows: [],
    efficiencyNote: EFFICIENCY_NOTE,
    sections: [],
  };
  if (!data.machine) return { ...model, noMachine: noRunsYet(state) };
  model.controls.push(machineSelect(data.machines, data.machine));
  if (!data.run)
    return {
      ...model,
      empty: {
        title: 'This machine has no run yet.',
        advice: ['Measure the scaling suite on it: ', measureCommand(state, 'scaling'), '.'],
      },
    };
  model.controls.push(runSelect('Run', 'run', data.runs, data.run.id));
  if (data.curves.length === 0)
    return {
      ...model,
      empty: {
        title: 'This run has no threaded benchmark with a 1-thread result.',
        advice: [
          'Pick another run above, or measure the scaling suite on a machine with 2 or more cores: ',
          measureCommand(state, 'scaling'),
          '.',
        ],
      },
    };
  const workloads = byWorkload(data.curves);
  const wanted = state.params.get('workload');
  const one = wanted && workloads.has(wanted) ? wanted : '';
  model.controls.push({
    label: 'Workload',
    name: 'workload',
    options: [
      { value: '', label: `all (${workloads.size})` },
      ...[...workloads.keys()].map((w) => ({ value: w, label: w })),
    ],
    value: one,
    param: 'workload',
  });
  const shown = one ? new Map([[one, workloads.get(one)!]]) : workloads;
  if (!hasScaling(data.curves))
    model.oneThread = {
      title: 'Only 1 thread was measured.',
      advice: [
        'Scaling needs 2 or more usable cores: run the agent on a bigger machine, or try ',
        { code: 'gilbench run --suite scaling --threads 1,2,4 --oversubscribe' },
        ' locally.',
      ],
    };
  const open = openSections(state.params, data.curves);
  const bySection = new Map<string, Map<string, ScalingGroup[]>>();
  for (const [w, groups] of shown) {
    const key = sectionKey(groups[0]!);
    bySection.set(key, (bySection.get(key) ?? new Map()).set(w, groups));
  }
  model.sections = [...bySection].map(([key, ws]) => ({
    key,
    summary: sectionSummary(ws),
    workloads: [...ws.keys()],
    open: open.has(key),
  }));
  // Charts only for open sections: drawing every workload's two charts made a wall and a slow page.
  const drawn = new Set(model.sections.filter((s) => s.open).flatMap((s) => s.workloads));
  model.charts = [...shown].filter(([w]) => drawn.has(w)).map(([w, groups], i) => speedupChart(w, groups, i));
  model.threadCounts = [...new Set([...shown.values()].flat().flatMap((g) => g.points.map((p) => p.threads)))].sort(
    (a, b) => a - b,
  );
  model.rows = efficiencyRows(
    shown,
    data.run.modes.map((m) => m.id),
    model.threadCounts,
  );
  const modes = data.run.modes.map((m) => m.id);
  const throughput = (data.throughput ?? []).filter((c) => drawn.has(c.workload));
  model.throughputCharts = [...drawn]
    .map((w, i) =>
      throughputChart(
        w,
        throughput.filter((c) => c.workload === w),
        i,
      ),
    )
    .filter((c) => c.lines.length > 0);
  model.throughputRows = throughputRows(throughput, [...drawn], modes, model.threadCounts);
  return model;
}
