/**
 * The pieces of a view model that every view uses: text with code and links
 * in it, empty states, pickers whose changes go into the URL, and the
 * choices of machine and mode that several views make the same way. Pure:
 * no DOM; `render.ts` beside this file draws them.
 *
 * @example
 * const empty = noRunsYet(state); // { title: 'No runs yet.', advice: ['Make an enrollment token…', { code: '…' }, …] }
 */
import type { MachineInfo, ModeRef, RunInfo } from '../../api.ts';
import { formatRuntimeChange, formatTime } from '../../format.ts';
import type { RouteParams } from '../../route.ts';
import type { ViewState } from '../types.ts';

/** An in-app link with state. */
export interface Link {
  view: string;
  params: RouteParams;
  text: string;
}

/** A piece of text: plain, a command (`<code>`), a link, a strong word, or text with a tooltip. */
export type Inline =
  | string
  | { code: string }
  | { link: Link }
  | { strong: string }
  | { text: string; title: string }
  | null;

/** A box that says what is missing and what to do next, instead of a blank chart. */
export interface Empty {
  title: string;
  advice: Inline[];
}

/**
 * A labelled `<select>`: choosing a value sets `param` to it (an empty value
 * removes it) and removes the `clear` parameters.
 */
export interface Select {
  label: string;
  name: string;
  options: Array<{ value: string; label: string }>;
  value: string;
  param: string;
  clear?: string[];
  /** Replace the history entry instead of adding one. */
  replace?: boolean;
}

/**
 * The URL change a select makes when `value` is chosen.
 * @example selectChange({ param: 'suite', clear: ['sort'] } as Select, '') // { sort: undefined, suite: undefined }
 */
export function selectChange(select: Pick<Select, 'param' | 'clear'>, value: string): RouteParams {
  const change: RouteParams = {};
  for (const name of select.clear ?? []) change[name] = undefined;
  change[select.param] = value || undefined;
  return change;
}

/** `1 case`, `3 cases`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** `nogil` from `cpython-3.13.5t/nogil`. */
export function modeName(modeId: string): string {
  return modeId.slice(modeId.lastIndexOf('/') + 1);
}

/** A run's mode by id, or by name when that name is unique in the run. */
export function findMode(modes: readonly ModeRef[], nameOrId: string | null): ModeRef | undefined {
  if (!nameOrId) return undefined;
  return modes.find((m) => m.id === nameOrId) ?? modes.filter((m) => m.mode === nameOrId).at(0);
}

/** The machine named by `machine=` in the URL, else the one seen last. */
export function pickMachine(params: URLSearchParams, machines: readonly MachineInfo[]): MachineInfo | undefined {
  const wanted = Number(params.get('machine'));
  return machines.find((m) => m.id === wanted) ?? [...machines].sort((a, b) => b.lastSeen - a.lastSeen)[0];
}

export function machineLabel(m: MachineInfo): string {
  return `${m.hostname} (${m.arch}, ${m.cpu.usableCores} cores)`;
}

export function runLabel(run: RunInfo): string {
  return `${formatTime(run.startedAt)} · ${run.profile} · ${run.modes.map((m) => m.mode).join(', ')}`;
}

/** The machine picker: a new machine forgets the run and modes picked on the old one. */
export function machineSelect(machines: readonly MachineInfo[], selected: MachineInfo): Select {
  return {
    label: 'Machine',
    name: 'machine',
    options: machines.map((m) => ({ value: String(m.id), label: machineLabel(m) })),
    value: String(selected.id),
    param: 'machine',
    clear: ['run', 'base', 'other', 'series'],
  };
}

export function runSelect(label: string, param: string, runs: readonly RunInfo[], selected: string): Select {
  return {
    label,
    name: param,
    options: runs.map((r) => ({ value: r.id, label: runLabel(r) })),
    value: selected,
    param,
  };
}

export function modeSelect(label: string, param: string, modes: readonly ModeRef[], selected: string): Select {
  return { label, name: param, options: modes.map((m) => ({ value: m.id, label: m.id })), value: selected, param };
}

/**
 * The command that measures suites on a machine whose agent is enrolled and uploads the run here.
 * @example measureCommand(state, 'scaling') // { code: 'gilbench agent --server http://host:8080 --once --suite scaling --mode gil,nogil,ft-gil' }
 */
export function measureCommand(state: Pick<ViewState, 'serverUrl'>, suites: string, modes = 'gil,nogil,ft-gil') {
  return { code: `gilbench agent --server ${state.serverUrl} --once --suite ${suites} --mode ${modes}` };
}

/** The empty state of a page with no machine at all. */
export function noRunsYet(state: Pick<ViewState, 'serverUrl'>): Empty {
  return {
    title: 'No runs yet.',
    advice: [
      'Make an enrollment token on the server with ',
      { code: 'gilbench server token create --role enroll' },
      ', then measure on a benchmark machine and upload the run: ',
      {
        code: `gilbench agent --server ${state.serverUrl} --token ENROLL_TOKEN --once --suite single-thread,scaling,calls,locks --mode gil,nogil,ft-gil`,
      },
      '. Add ',
      { code: '--schedule "0 3 * * *"' },
      ' (without --once) to measure every night.',
    ],
  };
}

/** Advice when a mode the page needs was not measured. */
export function missingMode(what: string, modes: readonly ModeRef[]): Empty {
  return {
    title: `This run has no ${what} mode.`,
    advice: [
      `It measured ${modes.map((m) => m.id).join(', ') || 'no mode'}. Measure again with `,
      { code: '--mode gil,nogil,ft-gil' },
      ' to compare the builds.',
    ],
  };
}

/** An in-app link. */
export function link(view: string, params: RouteParams, text: string): { link: Link } {
  return { link: { view, params, text } };
}

/** One line per mode, for every page that shows a mode's name. */
export const MODE_HELP: Record<ModeRef['mode'], string> = {
  gil: 'the default build, with the GIL',
  nogil: 'the free-threaded build as users run it (no PYTHON_GIL; an extension may turn the GIL back on)',
  'nogil-forced':
    'the free-threaded build with the GIL kept off (PYTHON_GIL=0) even where an extension would turn it on: flagged',
  'ft-gil': 'the free-threaded build with the GIL forced on (PYTHON_GIL=1): its cost without the parallelism',
};

/** What a headline rests on: the run's profile and how many of its results carry warnings. */
export interface RunCaveats {
  profile: string;
  results: number;
  unstable: number;
  warned: number;
  busy: boolean;
  /** A person should take the numbers with care: a quick profile, a busy machine, or many unstable results. */
  caution: boolean;
}

/**
 * @example runCaveats({ profile: 'quick', warnings: [], results }) // { profile: 'quick', unstable: 302, results: 507, caution: true, … }
 */
export function runCaveats(run: {
  profile: string;
  warnings: ReadonlyArray<{ code: string }>;
  results?: ReadonlyArray<{ warnings: ReadonlyArray<{ code: string }> }>;
  /** The server's counts (a run without its results, e.g. a trend's): used when `results` is absent. */
  resultCount?: number;
  unstableResults?: number;
  warnedResults?: number;
}): RunCaveats {
  const results = run.results ?? [];
  const count = run.results ? results.length : (run.resultCount ?? 0);
  const unstable = run.results
    ? results.filter((r) => r.warnings.some((w) => w.code === 'unstable')).length
    : (run.unstableResults ?? 0);
  const warned = run.results ? results.filter((r) => r.warnings.length > 0).length : (run.warnedResults ?? 0);
  const busy =
    run.warnings.some((w) => w.code === 'machine-busy') ||
    results.some((r) => r.warnings.some((w) => w.code === 'machine-busy'));
  return {
    profile: run.profile,
    results: count,
    unstable,
    warned,
    busy,
    caution: run.profile === 'quick' || busy || (count > 0 && unstable * 4 >= count),
  };
}

/** `profile quick · 302 of 507 results unstable · machine busy`. */
export function caveatText(c: RunCaveats): string {
  return [
    `profile ${c.profile}`,
    c.results ? `${c.unstable} of ${plural(c.results, 'result')} unstable` : '',
    c.busy ? 'machine busy' : '',
  ]
    .filter(Boolean)
    .join(' · ');
}

/** `cpython-3.13.5 (default build) vs cpython-3.13.5t (free-threaded)`: the runtimes behind a gil/nogil figure. */
export function runtimesText(modes: ReadonlyArray<{ id: string }>): string {
  const runtimes = [...new Set(modes.map((m) => m.id.slice(0, m.id.lastIndexOf('/'))))];
  return runtimes.map((r) => `${r} (${r.endsWith('t') ? 'free-threaded' : 'default build'})`).join(' vs ');
}

/** A vertical line on a time chart: a detected change, a note, a runtime change, a marked time. */
export interface ChartMark {
  key: string;
  at: number;
  color: string;
  width: number;
  dash?: number[];
  label?: { text: string; position: 'start' | 'end' };
}

/**
 * Where a runtime changed (a release or a build kind): a dashed purple line labelled like the webhook's text.
 * @example runtimeChangeMark(5, 'runtime 3.13.5 → 3.13.15').dash // [6, 3]
 */
export function runtimeChangeMark(at: number, text: string): ChartMark {
  return {
    key: `runtime-${at}-${text}`,
    at,
    color: '#5f3dc4',
    dash: [6, 3],
    width: 2,
    label: { text, position: 'end' },
  };
}

/**
 * The runtime changes at one time as one label: `runtime 3.13.5 → 3.13.15 · 3.13.5t → 3.13.15t`.
 * @example runtimeChangesText([{ from: 'cpython-3.13.5/gil', to: 'cpython-3.13.15/gil' }]) === 'runtime 3.13.5 → 3.13.15'
 */
export function runtimeChangesText(changes: ReadonlyArray<{ from: string; to: string }>): string {
  const parts = [...new Set(changes.map((c) => formatRuntimeChange(c).replace(/^runtime /, '')))];
  return `runtime ${parts.join(' · ')}`;
}
