/**
 * Machines and runs' model: each machine's metadata and when it was last
 * seen, its runs, its jobs with their progress, and with `run=` one run:
 * its modes, warnings and every result.
 *
 * URL state: `machine`, `run`.
 *
 * @example machinesModel(data, state).runs?.rows[0]?.results // '42'
 */
import { canSeeJobs, type Job, type MachineInfo, type RunDetail, type RunInfo, type Session } from '../../api.ts';
import { formatAgo, formatBytes, formatNs, formatParams, formatTime } from '../../format.ts';
import { type Empty, type Inline, type Link, machineLabel, measureCommand, noRunsYet } from '../shared/model.ts';
import type { ViewState } from '../types.ts';

export interface MachinesData {
  machines: MachineInfo[];
  machine: MachineInfo | undefined;
  runs: RunInfo[];
  jobs: Job[];
  /** The run named by `run=`. */
  run: RunDetail | null;
}

/** Jobs are for operators: a public visitor is not asked for them (the server would refuse). */
export function showsJobs(state: { isStatic: boolean; session: Session | null }): boolean {
  return !state.isStatic && canSeeJobs(state.session);
}

/** Whether a job is still to finish (its progress is polled). */
export function jobsPending(jobs: readonly Job[]): boolean {
  return jobs.some((j) => j.status === 'running' || j.status === 'queued');
}

export type JobProgress =
  | { kind: 'note'; text: string }
  | { kind: 'run'; link: Link }
  | { kind: 'none' }
  | { kind: 'starting'; jobId: number }
  | { kind: 'running'; jobId: number; done: number; total: number; message: string };

export interface JobRow {
  id: string;
  status: string;
  suites: string;
  modes: string;
  created: string;
  progress: JobProgress;
}

export interface ResultLine {
  suite: string;
  benchmark: string;
  /** Sort value of the median (ns). */
  medianNs: number | null;
  /** The harness marked it `unstable` (CI wider than the profile allows). */
  unstable: boolean;
  params: string;
  modeId: string;
  mode: string;
  status: string;
  ok: boolean;
  median: string;
  ci: string;
  peakRss: string;
  warnings: Array<{ code: string; message: string }>;
  error: string | null;
}

export interface RunSection {
  title: string;
  /** Start – finish, profile, version. */
  facts: string;
  compare: Link;
  scaling: Link;
  warnings: string[];
  results: ResultLine[];
  /** One collapsed section per suite on the page, in the order of `results`. */
  suites: Array<{ suite: string; summary: string }>;
}

export interface MachinesModel {
  lead: string;
  noMachine: Empty | null;
  page: MachinePage | null;
}

/** The page of one machine. */
export interface MachinePage {
  /** The machine links at the top; the shown one is not a link. */
  others: Array<{ label: string; link: Link | null }>;
  machineId: number;
  title: string;
  metadata: Array<[string, Inline]>;
  run: RunSection | null;
  /** Null on an exported site (no jobs there). */
  jobs: { shown: boolean; pending: boolean; empty: Empty | null; rows: JobRow[] } | null;
  runsTitle: string;
  runs: {
    empty: Empty | null;
    /** Every run (the downloads keep them all); the page shows the newest `shown`. */
    rows: Array<{ started: Link; profile: string; modes: string; results: string; warnings: string }>;
    shown: number;
  };
}

/** Runs listed before "show all": a year of nightly runs made the page a wall. */
export const RUNS_SHOWN = 50;

export const MACHINES_LEAD = 'Where the numbers come from: each machine, its runs and its jobs.';

function metadata(m: MachineInfo, now: number): Array<[string, Inline]> {
  return [
    ['hostname', m.hostname],
    ['fingerprint', { code: m.fingerprint }],
    [
      'CPU',
      `${m.cpu.brand} · ${m.cpu.cores} logical, ${m.cpu.physicalCores ?? '?'} physical, ${m.cpu.usableCores} usable`,
    ],
    ['governor', m.cpu.governor ?? 'unknown'],
    ['memory', formatBytes(m.memoryBytes)],
    ['OS', `${m.os} · kernel ${m.kernel} · ${m.arch}`],
    ['labels', m.labels.length ? m.labels.join(', ') : 'none'],
    // What the agent says of itself: shown, routing no job until an admin grants it.
    ['declared labels', declared(m)],
    ['first seen', formatTime(m.firstSeen)],
    ['last seen', `${formatTime(m.lastSeen)} (${formatAgo(m.lastSeen, now)})`],
  ];
}

function declared(m: MachineInfo): string {
  const list = m.declaredLabels ?? [];
  if (!list.length) return 'none';
  const waiting = list.filter((l) => !m.labels.includes(l));
  return waiting.length ? `${list.join(', ')} (not granted: ${waiting.join(', ')})` : list.join(', ');
}

export function jobProgress(job: Job, now: number): JobProgress {
  if (job.status !== 'running') {
    if (job.error) return { kind: 'note', text: job.error };
    if (job.runId)
      return {
        kind: 'run',
        link: {
          view: 'machines',
          params: { machine: job.claimedBy ?? job.machineId ?? '', run: job.runId },
          text: 'run',
        },
      };
    return { kind: 'none' };
  }
  const p = job.progress;
  if (!p || p.total === 0) return { kind: 'starting', jobId: job.id };
  return {
    kind: 'running',
    jobId: job.id,
    done: p.done,
    total: p.total,
    message: `${p.message} (${formatAgo(p.at, now)})`,
  };
}

/** The jobs table's rows (also used when the polled jobs come back). */
export function jobRows(jobs: readonly Job[], now: number): JobRow[] {
  return jobs.map((j) => ({
    id: String(j.id),
    status: j.status,
    suites: j.suites.join(', '),
    modes: j.modes.join(', '),
    created: formatAgo(j.createdAt, now),
    progress: jobProgress(j, now),
  }));
}

export const NO_JOBS: Empty = {
  title: 'No jobs for this machine.',
  advice: [
    'An admin queues one with ',
    { code: 'POST /api/v1/jobs {"suites": ["scaling"], "modes": ["gil", "nogil"]}' },
    ' or makes a nightly schedule with ',
    { code: 'POST /api/v1/schedules' },
    '; the machine’s agent (',
    { code: 'gilbench agent --server URL' },
    ') claims it and its progress shows here.',
  ],
};

function runSection(machine: MachineInfo, run: RunDetail): RunSection {
  const results = [...run.results].sort(
    (a, b) =>
      `${a.suite}/${a.benchmark}`.localeCompare(`${b.suite}/${b.benchmark}`) ||
      formatParams(a.params).localeCompare(formatParams(b.params)),
  );
  return {
    title: `Run ${run.id}`,
    facts: `${formatTime(run.startedAt)} – ${formatTime(run.finishedAt)}, profile ${run.profile}, gilbench ${run.gilbenchVersion}. `,
    compare: { view: 'compare', params: { machine: machine.id, run: run.id }, text: 'compare its modes →' },
    scaling: { view: 'scaling', params: { machine: machine.id, run: run.id }, text: 'scaling →' },
    warnings: run.warnings.map((w) => `${w.code}: ${w.message}`),
    suites: [...new Set(results.map((r) => r.suite))].map((suite) => {
      const inSuite = results.filter((r) => r.suite === suite);
      const unstable = inSuite.filter((r) => r.warnings.some((w) => w.code === 'unstable')).length;
      const failed = inSuite.filter((r) => r.status !== 'ok').length;
      const parts = [`${inSuite.length} results`];
      if (unstable) parts.push(`${unstable} unstable`);
      if (failed) parts.push(`${failed} not ok`);
      return { suite, summary: parts.join(', ') };
    }),
    results: results.map((r) => ({
      suite: r.suite,
      medianNs: r.stats?.median ?? null,
      unstable: r.warnings.some((w) => w.code === 'unstable'),
      benchmark: `${r.suite}/${r.benchmark}`,
      params: formatParams(r.params),
      modeId: r.mode,
      mode: r.modeKind ?? r.mode,
      status: r.status,
      ok: r.status === 'ok',
      median: formatNs(r.stats?.median),
      ci: r.stats ? `${formatNs(r.stats.ciLow)} – ${formatNs(r.stats.ciHigh)}` : '–',
      peakRss: formatBytes(r.peakRssBytes),
      warnings: r.warnings.map((w) => ({ code: w.code, message: w.message })),
      error: r.error ? r.error.message : null,
    })),
  };
}

/**
 * The runs table's warnings: its results' (how many carry one, how many are unstable) and the run's own.
 * @example runWarnings({ resultCount: 507, warnedResults: 302, unstableResults: 302, warnings: [] }) // '302 of 507 results (302 unstable)'
 */
export function runWarnings(
  r: Pick<RunInfo, 'resultCount' | 'warnedResults' | 'unstableResults' | 'warnings'>,
): string {
  const parts: string[] = [];
  if (r.warnedResults > 0) {
    const unstable = r.unstableResults > 0 ? ` (${r.unstableResults} unstable)` : '';
    parts.push(`${r.warnedResults} of ${r.resultCount} results${unstable}`);
  }
  if (r.warnings.length > 0) parts.push(`${r.warnings.length} on the run`);
  return parts.length ? parts.join('; ') : 'none';
}

export function machinesModel(data: MachinesData, state: ViewState): MachinesModel {
  if (!data.machine) return { lead: MACHINES_LEAD, noMachine: noRunsYet(state), page: null };
  return { lead: MACHINES_LEAD, noMachine: null, page: machinePage(data, data.machine, state) };
}

function machinePage(data: MachinesData, machine: MachineInfo, state: ViewState): MachinePage {
  const shown = showsJobs(state);
  return {
    others: data.machines.map((m) => ({
      label: machineLabel(m),
      link: m.id === machine.id ? null : { view: 'machines', params: { machine: m.id }, text: machineLabel(m) },
    })),
    machineId: machine.id,
    title: machineLabel(machine),
    metadata: metadata(machine, state.now),
    run: data.run ? runSection(machine, data.run) : null,
    jobs: state.isStatic
      ? null
      : {
          shown,
          pending: shown && jobsPending(data.jobs),
          empty: data.jobs.length === 0 ? NO_JOBS : null,
          rows: jobRows(data.jobs, state.now),
        },
    runsTitle: `Runs (${data.runs.length})`,
    runs: {
      empty:
        data.runs.length === 0
          ? {
              title: 'No runs from this machine yet.',
              advice: [
                'Its agent uploads one after its first job; to measure now, run ',
                measureCommand(state, 'single-thread,scaling,calls,locks'),
                ' on it.',
              ],
            }
          : null,
      rows: data.runs.map((r) => ({
        started: { view: 'machines', params: { machine: machine.id, run: r.id }, text: formatTime(r.startedAt) },
        profile: r.profile,
        modes: r.modes.map((m) => m.id).join(', '),
        results: String(r.resultCount),
        warnings: runWarnings(r),
      })),
      shown: state.params.get('runs') === 'all' ? data.runs.length : Math.min(RUNS_SHOWN, data.runs.length),
    },
  };
}
