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
    'Measure on a benchmark machine and upload the result: ',
    code('gilbench run --suite scaling --mode gil,nogil --json run.json'),
    ', then ',
    code('gilbench upload run.json --server URL'),
    ' (or enroll an agent that runs nightly).',
  );
}

/** Advice when a mode the page needs was not measured. */
export function missingMode(what: string, modes: readonly ModeRef[]): HTMLElement {
  return emptyState(
    `This run has no ${what} mode.`,
    `It measured ${modes.map((m) => m.id).join(', ') || 'no mode'}. Run again with `,
    code('--mode gil,nogil'),
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
