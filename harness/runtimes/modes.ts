/**
 * Modes: pick the runtime that serves each requested mode.
 *
 *   gil     a default (non-free-threaded) CPython build, environment untouched
 *   nogil         a free-threaded build as users run it: no PYTHON_GIL, so an
 *                 extension that does not declare Py_mod_gil turns the GIL back on
 *                 (and the result is invalid)
 *   nogil-forced  a free-threaded build with PYTHON_GIL=0: measured even then, flagged
 *   ft-gil        a free-threaded build forced to PYTHON_GIL=1
 *
 * The point of a run is comparing GIL and no-GIL of the same version, so the
 * default build chosen for `gil` matches the free-threaded build's version
 * when one exists. Otherwise: explicit > cache > other origins, newest first.
 */
import { UsageError } from '../errors.ts';
import { type Mode, ModeName, type Runtime } from '../schema.ts';
import type { FoundRuntime, RuntimeOrigin } from './discover.ts';
import { INSTALLABLE_MINORS } from './install.ts';
import { parseRuntimeSelector } from './selector.ts';

export { parseRuntimeSelector, type RuntimeSelector } from './selector.ts';

/** The environment each mode sets for its workers. */
export const MODE_ENV: Readonly<Record<ModeName, Readonly<Record<string, string>>>> = {
  gil: {},
  // No PYTHON_GIL at all (modeEnvironment removes an inherited one): the build decides.
  nogil: {},
  'nogil-forced': { PYTHON_GIL: '0' },
  'ft-gil': { PYTHON_GIL: '1' },
};

export interface ResolveModesOptions {
  /** Only runtimes of this version: `3.13` matches 3.13.x, `3.13.5` only itself. */
  version?: string;
  /**
   * Which installed runtime (`--runtime`, a job's `runtime`): a version (`3.13.15`, `3.13`), a runtime id
   * (`cpython-3.13.15t`, `cpython-3.13.5-release`: version and build kind), or `newest`. Default: the
   * fast build of the version the other rules pick.
   */
  runtime?: string;
}

/**
 * Resolve mode names to modes, each with its runtime and environment.
 * Throws a UsageError for an unknown mode name or a mode no runtime can serve.
 * @example
 * const modes = resolveModes(['gil', 'nogil'], await discoverRuntimes());
 * modes.map((m) => m.id); // ['cpython-3.13.5/gil', 'cpython-3.13.5t/nogil']
 */
export function resolveModes(
  names: readonly string[],
  runtimes: readonly FoundRuntime[],
  opts: ResolveModesOptions = {},
): Mode[] {
  const wanted: ModeName[] = [];
  for (const name of names) {
    const parsed = ModeName.safeParse(name);
    if (!parsed.success) {
      throw new UsageError(`unknown mode '${name}'; valid modes are ${ModeName.options.join(', ')}`);
    }
    if (!wanted.includes(parsed.data)) wanted.push(parsed.data);
  }
  if (wanted.length === 0) throw new UsageError(`no mode given; valid modes are ${ModeName.options.join(', ')}`);

  let pool = runtimes.filter((r) => r.implementation === 'cpython');
  const selector = opts.runtime ? parseRuntimeSelector(opts.runtime) : {};
  const needsThreaded = wanted.some((m) => m !== 'gil');
  const needsDefault = wanted.includes('gil');
  const matchesVersion = (r: FoundRuntime, version: string) =>
    r.version === version || r.version.startsWith(`${version}.`);
  for (const version of [opts.version, selector.version]) {
    if (version) pool = pool.filter((r) => matchesVersion(r, version));
  }
  if (selector.buildKind) pool = pool.filter((r) => kindOf(r) === selector.buildKind);
  if (selector.newest) {
    // The newest version that serves every wanted mode, so a nightly follows releases.
    const serves = (v: string) =>
      (!needsThreaded || pool.some((r) => r.version === v && r.freeThreaded)) &&
      (!needsDefault || pool.some((r) => r.version === v && !r.freeThreaded));
    const newest = [...new Set(pool.map((r) => r.version))].sort(compareVersions).reverse().find(serves);
    if (newest) pool = pool.filter((r) => r.version === newest);
  }
  const defaults = pool.filter((r) => !r.freeThreaded);
  const threaded = pool.filter((r) => r.freeThreaded);

  // The side the user named explicitly anchors the other side's version.
  let freeThreadedPick: FoundRuntime | undefined;
  let defaultPick: FoundRuntime | undefined;
  const explicitDefaultOnly = defaults.some(isExplicit) && !threaded.some(isExplicit);
  if (explicitDefaultOnly && needsDefault) {
    defaultPick = best(defaults);
    if (needsThreaded) freeThreadedPick = best(threaded, defaultPick);
  } else {
    if (needsThreaded) freeThreadedPick = best(threaded);
    if (needsDefault) defaultPick = best(defaults, freeThreadedPick);
  }

  return wanted.map((mode) => {
    const runtime = mode === 'gil' ? defaultPick : freeThreadedPick;
    if (!runtime) throw missingRuntime(mode, selector.version ?? opts.version, opts.runtime);
    return { id: `${runtime.id}/${mode}`, mode, env: { ...MODE_ENV[mode] }, runtime: plainRuntime(runtime) };
  });
}

/** Says what to do: install the runtime when gilbench can build it, else name one with --python. */
function missingRuntime(mode: ModeName, version: string | undefined, selector?: string): UsageError {
  const minor = (version ?? INSTALLABLE_MINORS[0]!).split('.').slice(0, 2).join('.');
  const exact = version && /^\d+\.\d+\.\d+/.test(version) ? version : null;
  const spec = exact ?? minor;
  const install =
    exact || INSTALLABLE_MINORS.includes(minor) ? `run \`gilbench runtimes install cpython@${spec}\` or ` : '';
  const what = mode === 'gil' ? 'default (GIL)' : 'free-threaded';
  const example = mode === 'gil' ? `python${minor}` : `python${minor}t`;
  const wanted = selector && !version ? ` matching --runtime ${selector}` : version ? ` ${version}` : '';
  return new UsageError(
    `no ${what} CPython${wanted} found for mode '${mode}'; ${install}pass --python /path/to/${example}`,
  );
}

/** Runtimes probed before build kinds were recorded are fast builds. */
function kindOf(r: FoundRuntime): 'fast' | 'release' {
  return r.buildKind ?? 'fast';
}

const ORIGIN_RANK: Record<RuntimeOrigin, number> = { explicit: 0, cache: 1, uv: 2, pyenv: 2, path: 2 };

function isExplicit(r: FoundRuntime): boolean {
  return r.origin === 'explicit';
}

/**
 * The preferred runtime: explicit first, then (when pairing with `partner`)
 * the same version, then the same minor version, then (with a partner) the
 * same build kind, else a fast build (a release build only when selected),
 * then cache > others, then the newest.
 */
function best(candidates: FoundRuntime[], partner?: FoundRuntime): FoundRuntime | undefined {
  const closeness = (r: FoundRuntime) => {
    if (!partner) return 0;
    if (r.version === partner.version) return 0;
    return minorOf(r.version) === minorOf(partner.version) ? 1 : 2;
  };
  const kindRank = (r: FoundRuntime) =>
    partner ? Number(kindOf(r) !== kindOf(partner)) : Number(kindOf(r) !== 'fast');
  return [...candidates].sort(
    (a, b) =>
      Number(isExplicit(b)) - Number(isExplicit(a)) ||
      closeness(a) - closeness(b) ||
      kindRank(a) - kindRank(b) ||
      ORIGIN_RANK[a.origin] - ORIGIN_RANK[b.origin] ||
      compareVersions(b.version, a.version),
  )[0];
}

function minorOf(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}

/**
 * Compare Python versions: numeric parts first, then a final release above its
 * pre-releases (3.13.0 > 3.13.0rc2 > 3.13.0b1).
 * @example compareVersions('3.13.5', '3.9.18') > 0
 */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const m = v.match(/^(\d+)\.(\d+)(?:\.(\d+))?([a-z]+)?(\d+)?/) ?? [];
    const stage = m[4] ? ({ a: 0, b: 1, rc: 2 }[m[4]] ?? 0) : 3;
    return [Number(m[1] ?? 0), Number(m[2] ?? 0), Number(m[3] ?? 0), stage, Number(m[5] ?? 0)];
  };
  const pa = parse(a);
  const pb = parse(b);
  for (let i = 0; i < pa.length; i++) {
    const d = pa[i]! - pb[i]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** The run document's Runtime: discovery's extra fields stay out of it. */
function plainRuntime(r: FoundRuntime): Runtime {
  const { origin: _origin, ...runtime } = r;
  return runtime;
}
