/**
 * What every view shares: its context (the API, the URL state), pickers for
 * machine, run and mode whose changes go into the URL, and the advice shown
 * when something is missing.
 */
import type { Api, MachineInfo, ModeRef, RunInfo, Session } from '../api.ts';
import { type Child, code, emptyState, h, select } from '../dom.ts';
import { formatTime } from '../format.ts';
import { type RouteParams, routeHref, type View } from '../route.ts';

export interface ViewContext {
  api: Api;
  view: View;
  params: URLSearchParams;
  /**
   * Merges `change` into the view's URL state: a new history entry unless
   * `replace`; `silent` only rewrites the URL (the page already shows it).
   */
  setParams(change: RouteParams, opts?: { replace?: boolean; silent?: boolean }): void;
  /** True on an exported static site (no writes, no live progress). */
  isStatic: boolean;
  session: Session | null;
}

export type ViewRenderer = (ctx: ViewContext) => Promise<Child>;

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
export function pickMachine(ctx: ViewContext, machines: readonly MachineInfo[]): MachineInfo | undefined {
  const wanted = Number(ctx.params.get('machine'));
  return machines.find((m) => m.id === wanted) ?? [...machines].sort((a, b) => b.lastSeen - a.lastSeen)[0];
}

/**
 * The machine a view is about: the one named by `machine=`; else, when the
 * URL names a run (`run=`), the machine that made it (a shared link to a run
 * needs no machine); else the one seen last.
 */
export async function resolveMachine(
  ctx: ViewContext,
  machines: readonly MachineInfo[],
): Promise<MachineInfo | undefined> {
  const named = machines.find((m) => m.id === Number(ctx.params.get('machine')));
  if (named) return named;
  const runId = ctx.params.get('run');
  if (runId) {
    const run = await ctx.api.run(runId).catch(() => null);
    const owner = machines.find((m) => m.id === run?.machineId);
    if (owner) return owner;
  }
  return pickMachine(ctx, machines);
}

/** How many of a machine's newest runs a view looks through for one that measured what it draws. */
export const RUNS_SEARCHED = 12;

/**
 * The newest run (of `runs`, newest first) for which `probe` finds something,
 * with what it found; looks at the first `RUNS_SEARCHED` runs, one at a time
 * (usually the newest run answers, so only one is read).
 * @example const hit = await latestRunWith(runs, async (r) => ((await api.scaling(r.id)).length ? r : null));
 */
export async function latestRunWith<T>(
  runs: readonly RunInfo[],
  probe: (run: RunInfo) => Promise<T | null>,
): Promise<{ run: RunInfo; found: T } | null> {
  for (const run of runs.slice(0, RUNS_SEARCHED)) {
    const found = await probe(run).catch(() => null);
    if (found !== null) return { run, found };
  }
  return null;
}

/** The run named by `run=` if it is one of `runs`; else the newest run that has what the view draws. */
export async function pickRun(
  ctx: ViewContext,
  runs: readonly RunInfo[],
  has: (run: RunInfo) => Promise<boolean>,
): Promise<RunInfo | undefined> {
  const named = runs.find((r) => r.id === ctx.params.get('run'));
  if (named) return named;
  const hit = await latestRunWith(runs, async (r) => ((await has(r)) ? r : null));
  return hit?.run ?? runs[0];
}

/** The server's address for commands shown in advice (`URL` on an exported site). */
function serverUrl(): string {
  const meta = typeof document === 'undefined' ? null : document.querySelector('meta[name="gilbench-data"]');
  const live = meta?.getAttribute('content') !== 'static' && /^https?:$/.test(globalThis.location?.protocol ?? '');
  return live ? location.origin : 'URL';
}

/**
 * The command that measures suites on a machine whose agent is enrolled and uploads the run here.
 * @example measureCommand('scaling') // gilbench agent --server http://host:8080 --once --suite scaling --mode gil,nogil,ft-gil
 */
export function measureCommand(suites: string, modes = 'gil,nogil,ft-gil'): HTMLElement {
  return code(`gilbench agent --server ${serverUrl()} --once --suite ${suites} --mode ${modes}`);
}

export function machineLabel(m: MachineInfo): string {
  return `${m.hostname} (${m.arch}, ${m.cpu.usableCores} cores)`;
}

export function machinePicker(ctx: ViewContext, machines: readonly MachineInfo[], selected: MachineInfo): HTMLElement {
  return select(
    'Machine',
    machines.map((m) => ({ value: String(m.id), label: machineLabel(m) })),
    String(selected.id),
    (value) => ctx.setParams({ machine: value, run: undefined, base: undefined, other: undefined, series: undefined }),
  );
}

export function runLabel(run: RunInfo): string {
  return `${formatTime(run.startedAt)} · ${run.profile} · ${run.modes.map((m) => m.mode).join(', ')}`;
}

export function runPicker(
  ctx: ViewContext,
  label: string,
  param: string,
  runs: readonly RunInfo[],
  selected: string,
): HTMLElement {
  return select(
    label,
    runs.map((r) => ({ value: r.id, label: runLabel(r) })),
    selected,
    (value) => ctx.setParams({ [param]: value }),
    param,
  );
}

export function modePicker(
  ctx: ViewContext,
  label: string,
  param: string,
  modes: readonly ModeRef[],
  selected: string,
): HTMLElement {
  return select(
    label,
    modes.map((m) => ({ value: m.id, label: m.id })),
    selected,
    (value) => ctx.setParams({ [param]: value }),
    param,
  );
}

/** The empty state of a page with no machine at all. */
export function noRunsYet(): HTMLElement {
  return emptyState(
    'No runs yet.',
    'Make an enrollment token on the server with ',
    code('gilbench server token create --role enroll'),
    ', then measure on a benchmark machine and upload the run: ',
    code(
      `gilbench agent --server ${serverUrl()} --token ENROLL_TOKEN --once --suite single-thread,scaling,calls,locks --mode gil,nogil,ft-gil`,
    ),
    '. Add ',
    code('--schedule "0 3 * * *"'),
    ' (without --once) to measure every night.',
  );
}

/** Advice when a mode the page needs was not measured. */
export function missingMode(what: string, modes: readonly ModeRef[]): HTMLElement {
  return emptyState(
    `This run has no ${what} mode.`,
    `It measured ${modes.map((m) => m.id).join(', ') || 'no mode'}. Measure again with `,
    code('--mode gil,nogil,ft-gil'),
    ' to compare the builds.',
  );
}

/** An in-app link with state. */
export function viewLink(view: View, params: RouteParams, ...text: Child[]): HTMLAnchorElement {
  return h('a', { attrs: { href: routeHref(view, params) } }, ...text);
}

/** A paragraph of page-level context under the title. */
export function lead(...children: Child[]): HTMLElement {
  return h('p', { className: 'muted' }, ...children);
}
