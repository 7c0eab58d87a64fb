/**
 * Locks' model: the headline "Lock/RLock vs lock-free vs thread-private, per
 * mode, with and without a writer" (geometric means over the read kinds at
 * the most threads), and one chart per read kind: each locked or private
 * read as a multiple of the lock-free read, per mode, with 95% CIs.
 *
 * URL state: `machine`, `run` (default: the newest run with the locks suite).
 *
 * @example locksModel(data, state).charts[0]?.title // 'locks/dict_read at 2 threads: time per read ÷ lock-free'
 */

import { LOCK_KINDS, LOCK_LABELS, type LockCost, lockHeadlines } from '../../../../harness/stats/lock-costs.ts';
import type { MachineInfo, RunInfo } from '../../api.ts';
import { formatNs, formatRatio, formatRatioRange } from '../../format.ts';
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

export interface LocksData {
  machines: MachineInfo[];
  machine: MachineInfo | undefined;
  runs: RunInfo[];
  run: RunInfo | null;
  costs: LockCost[];
}

export interface LockChart {
  id: string;
  title: string;
  kind: string;
  bars: Array<{ label: string; mode: string; ratio: number; ciLow: number; ciHigh: number }>;
}

export interface LockHeadlineRow {
  mode: string;
  modeId: string;
  writer: string;
  cells: Array<{ lock: string; text: string; title: string }>;
}

export interface LocksModel {
  lead: string;
  noMachine: Empty | null;
  controls: Select[];
  empty: Empty | null;
  /** One sentence per mode: the Lock cost without a writer. */
  headline: string[];
  threads: number;
  rows: LockHeadlineRow[];
  charts: LockChart[];
}

export const LOCKS_LEAD =
  'What a lock costs a reader: each read kind, with a threading.Lock or RLock around the read or with a private copy per thread, as a multiple of the lock-free read of the same shared object (above 1× = slower). Bars are 95% CIs.';

export function locksModel(data: LocksData, state: ViewState): LocksModel {
  const model: LocksModel = {
    lead: LOCKS_LEAD,
    noMachine: null,
    controls: [],
    empty: null,
    headline: [],
    threads: 0,
    rows: [],
    charts: [],
  };
  if (!data.machine) return { ...model, noMachine: noRunsYet(state) };
  model.controls.push(machineSelect(data.machines, data.machine));
  const advice = ['Measure the locks suite: ', measureCommand(state, 'locks'), '.'];
  if (!data.run) return { ...model, empty: { title: 'This machine has no run with the locks suite.', advice } };
  model.controls.push(runSelect('Run', 'run', data.runs, data.run.id));
  if (data.costs.length === 0)
    return { ...model, empty: { title: 'This run has no lock-free and locked read to compare.', advice } };
  const heads = lockHeadlines(data.costs);
  model.threads = heads[0]?.threads ?? 0;
  model.rows = heads.map((h) => ({
    mode: modeName(h.mode),
    modeId: h.mode,
    writer: h.writer ? 'with a writer' : 'no writer',
    cells: LOCK_KINDS.map((lock) => {
      const gm = h.byLock[lock];
      return gm
        ? {
            lock,
            text: formatRatio(gm.value),
            title: `95% CI ${formatRatioRange(gm.ciLow, gm.ciHigh)}, geometric mean over ${gm.count} read kind(s)`,
          }
        : { lock, text: '–', title: 'not measured' };
    }),
  }));
  model.headline = heads
    .filter((h) => !h.writer && h.byLock.lock)
    .map(
      (h) =>
        `${modeName(h.mode)}: a Lock around a read costs ${formatRatio(h.byLock.lock!.value)} the lock-free read at ${h.threads} threads` +
        (h.byLock.private ? `; a thread-private copy ${formatRatio(h.byLock.private.value)}` : '') +
        '.',
    );
  const kinds = [...new Set(data.costs.map((c) => c.kind))].sort();
  model.charts = kinds.map((kind, i) => {
    const mine = data.costs.filter((c) => c.kind === kind && c.threads === model.threads && !c.writer);
    const free = mine[0] ? formatNs(mine[0].noneNs) : '';
    return {
      id: `locks-${i}`,
      kind,
      title: `locks/${kind} at ${model.threads} threads, no writer: time per read ÷ lock-free${free ? ` (${modeName(mine[0]!.mode)} lock-free ${free})` : ''}`,
      bars: mine
        .sort(
          (a, b) =>
            a.mode.localeCompare(b.mode) || LOCK_KINDS.indexOf(a.lock as never) - LOCK_KINDS.indexOf(b.lock as never),
        )
        .map((c) => ({
          label: `${modeName(c.mode)} · ${LOCK_LABELS[c.lock] ?? c.lock}`,
          mode: c.mode,
          ratio: c.ratio,
          ciLow: c.ciLow,
          ciHigh: c.ciHigh,
        })),
    };
  });
  return model;
}
