/**
 * Regressions' model: the detector's changes, filtered by status, kind and
 * machine, as rows with their links to the history at the change.
 *
 * URL state: `machine`, `status`, `kind`.
 *
 * @example regressionsModel({ machines, regressions }, state).rows[0]?.change // '+30.0% slower'
 */
import { type MachineInfo, REGRESSION_STATUSES, type Regression } from '../../api.ts';
import { formatChange, formatNs, formatParams, formatPercent, formatTime } from '../../format.ts';
import { type Empty, type Link, modeName, noRunsYet, type Select } from '../shared/model.ts';
import type { ViewState } from '../types.ts';

export interface RegressionsData {
  machines: MachineInfo[];
  /** The changes of the machine named by `machine=`, or of all machines. */
  regressions: Regression[];
}

/** The history link of a change: its case, its mode, a window around it, and the change marked. */
export function historyLinkParams(r: Regression): Record<string, string | number> {
  const key = Object.keys(r.params)
    .sort()
    .map((k) => `${k}=${String(r.params[k])}`)
    .join(',');
  return {
    machine: r.machineId,
    case: key ? `${r.suite}/${r.benchmark}[${key}]` : `${r.suite}/${r.benchmark}`,
    modes: r.modeId,
    at: r.startedAt,
  };
}

export interface RegressionRow {
  /** The change as the API sent it (the admin form edits it). */
  regression: Regression;
  since: Link;
  benchmark: string;
  params: string;
  mode: string;
  /** `+30.0% slower`, with its CI `[+25.1%, +35.2%]`. */
  change: string;
  changeCi: string;
  levels: string;
  confidence: string;
}

export interface RegressionsModel {
  lead: string;
  noMachine: Empty | null;
  filters: Select[];
  empty: Empty | null;
  /** Visitors who could sign in to edit are told how. */
  signInHint: boolean;
  isAdmin: boolean;
  rows: RegressionRow[];
}

export const REGRESSIONS_LEAD =
  'Changes the detector found in a series: the first run after the change, its size with a 95% CI, and how sure it is.';

/** `machine=` as the API query wants it. */
export function machineQuery(params: URLSearchParams): number | undefined {
  const machine = params.get('machine') ?? '';
  return machine ? Number(machine) : undefined;
}

export function regressionRow(r: Regression): RegressionRow {
  return {
    regression: r,
    since: { view: 'history', params: historyLinkParams(r), text: formatTime(r.startedAt) },
    benchmark: `${r.suite}/${r.benchmark}`,
    params: formatParams(r.params),
    mode: modeName(r.modeId),
    change: `${formatChange(r.change)} ${r.kind === 'regression' ? 'slower' : 'faster'}`,
    changeCi: ` [${formatChange(r.changeCiLow)}, ${formatChange(r.changeCiHigh)}]`,
    levels: `${formatNs(r.beforeNs)} → ${formatNs(r.afterNs)}`,
    confidence: formatPercent(r.confidence, 0),
  };
}

export function regressionsModel(data: RegressionsData, state: ViewState): RegressionsModel {
  const model: RegressionsModel = {
    lead: REGRESSIONS_LEAD,
    noMachine: null,
    filters: [],
    empty: null,
    signInHint: false,
    isAdmin: false,
    rows: [],
  };
  if (data.machines.length === 0) return { ...model, noMachine: noRunsYet(state) };
  const status = state.params.get('status') ?? '';
  const kind = state.params.get('kind') ?? '';
  model.filters = [
    {
      label: 'Machine',
      name: 'machine',
      options: [
        { value: '', label: 'all machines' },
        ...data.machines.map((m) => ({ value: String(m.id), label: m.hostname })),
      ],
      value: state.params.get('machine') ?? '',
      param: 'machine',
    },
    {
      label: 'Status',
      name: 'status',
      options: [{ value: '', label: 'any status' }, ...REGRESSION_STATUSES.map((s) => ({ value: s, label: s }))],
      value: status,
      param: 'status',
    },
    {
      label: 'Kind',
      name: 'kind',
      options: [
        { value: '', label: 'both' },
        { value: 'regression', label: 'slower (regression)' },
        { value: 'improvement', label: 'faster (improvement)' },
      ],
      value: kind,
      param: 'kind',
    },
  ];
  const shown = data.regressions.filter((r) => (!status || r.status === status) && (!kind || r.kind === kind));
  if (shown.length === 0) {
    const any = data.regressions.length > 0;
    model.empty = {
      title: any ? 'No change matches these filters.' : 'No change detected yet.',
      advice: [
        any
          ? 'Clear a filter above to see the others.'
          : 'The detector needs a few runs of a series before it can tell a change from noise; keep the nightly runs coming.',
      ],
    };
    return model;
  }
  model.isAdmin = !state.isStatic && state.session?.role === 'admin';
  model.signInHint = !model.isAdmin && !state.isStatic;
  model.rows = shown.map(regressionRow);
  return model;
}
