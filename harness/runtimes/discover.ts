/**
 * Discovery: find the Python interpreters on this machine and probe each once.
 *
 * Places searched, in order of preference (a duplicate keeps the first place it was found):
 *   explicit  --python PATH (or GILBENCH_PYTHON, colon-separated)
 *   cache     gilbench's own builds (<cache>/cpython/<key>/<variant>/bin/), marker present
 *   uv        $UV_PYTHON_INSTALL_DIR, else $XDG_DATA_HOME/uv/python or ~/.local/share/uv/python (<dir>/*\/bin/)
 *   pyenv     $PYENV_ROOT or ~/.pyenv (versions/*\/bin/)
 *   path      every PATH directory (pyenv shims resolve to the real executable through the probe)
 * Names looked at: python3, python3.N, python3.Nt.
 */
import { readdir, realpath } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { UsageError } from '../errors.ts';
import type { Runtime } from '../schema.ts';
import { defaultCacheDir, readMarker, Variant } from './cache.ts';
import { ProbeError, probeRuntime } from './probe.ts';

export { defaultCacheDir } from './cache.ts';

/** Where a runtime was found; explicit ones were named by the user. */
export type RuntimeOrigin = 'explicit' | 'cache' | 'path' | 'pyenv' | 'uv';

/** A probed runtime and where it was found. */
export interface FoundRuntime extends Runtime {
  origin: RuntimeOrigin;
}

type Env = Record<string, string | undefined>;

export interface DiscoverOptions {
  /** Interpreters the user named (`--python`); when empty, GILBENCH_PYTHON (colon-separated) is used. */
  pythons?: string[];
  /** gilbench's cache folder (default: defaultCacheDir(env)). */
  cacheDir?: string;
  /** Environment for PATH, HOME, PYENV_ROOT...; default process.env. */
  env?: Env;
  /** Places to search besides the explicit ones (default: all). */
  origins?: Exclude<RuntimeOrigin, 'explicit'>[];
  /** Probe timeout per interpreter. */
  timeoutMs?: number;
  /** Called for every candidate that was found but could not be probed (explicit ones throw instead). */
  onSkip?: (executable: string, reason: string) => void;
}

/** Interpreter names worth probing: python3, python3.N, python3.Nt. */
export const PYTHON_NAME = /^python3(?:\.\d+t?)?$/;
const PROBE_CONCURRENCY = 4;
const ORIGIN_ORDER = ['cache', 'uv', 'pyenv', 'path'] as const;

interface Candidate {
  file: string;
  origin: RuntimeOrigin;
}

/**
 * Find and probe every interpreter: explicit ones first, then the cache, uv, pyenv and PATH.
 * Duplicates (same real file, same sys.executable, same sha256) keep the first origin.
 * An explicit interpreter that does not exist or does not run is a UsageError.
 * @example
 * const runtimes = await discoverRuntimes({ pythons: ['/opt/py/bin/python3.13t'] });
 * runtimes.filter((r) => r.freeThreaded);
 */
export async function discoverRuntimes(opts: DiscoverOptions = {}): Promise<FoundRuntime[]> {
  const env = opts.env ?? process.env;
  const explicit = await explicitCandidates(opts.pythons, env);
  const origins = new Set(opts.origins ?? ORIGIN_ORDER);
  const found: Candidate[] = [...explicit];
  for (const origin of ORIGIN_ORDER) {
    if (!origins.has(origin)) continue;
    const dirs = await searchDirs(origin, env, opts.cacheDir ?? defaultCacheDir(env));
    for (const dir of dirs) {
      for (const file of await pythonsIn(dir)) found.push({ file, origin });
    }
  }

  // The same file reached twice (symlinks such as python3 -> python3.13): probe it once.
  const unique: Candidate[] = [];
  const seenFiles = new Set<string>();
  for (const candidate of found) {
    const real = await realpath(candidate.file).catch(() => candidate.file);
    if (seenFiles.has(real)) continue;
    seenFiles.add(real);
    unique.push(candidate);
  }

  const probed = await mapLimited(unique, PROBE_CONCURRENCY, async (candidate) => {
    try {
      return await probeRuntime(candidate.file, { env, timeoutMs: opts.timeoutMs });
    } catch (err) {
      if (!(err instanceof ProbeError)) throw err;
      if (candidate.origin === 'explicit') {
        throw new UsageError(`--python ${candidate.file} ${err.reason}; pass the path of a working python executable`);
      }
      opts.onSkip?.(candidate.file, err.reason);
      return null;
    }
  });

  const result: FoundRuntime[] = [];
  const seenExecutables = new Set<string>();
  const seenHashes = new Set<string>();
  for (const [i, runtime] of probed.entries()) {
    if (!runtime) continue;
    const real = await realpath(runtime.executable).catch(() => runtime.executable);
    if (seenExecutables.has(real) || seenHashes.has(runtime.sha256)) continue;
    seenExecutables.add(real);
    seenHashes.add(runtime.sha256);
    result.push({ ...runtime, origin: unique[i]!.origin });
  }
  return result;
}

async function explicitCandidates(pythons: string[] | undefined, env: Env): Promise<Candidate[]> {
  const names = pythons?.length ? pythons : (env.GILBENCH_PYTHON ?? '').split(':').filter(Boolean);
  const out: Candidate[] = [];
  for (const name of names) {
    // A bare name (python3.13t) is looked up on PATH, as a shell would.
    const file = name.includes('/') ? path.resolve(name) : await whichOnPath(name, env);
    if (!file) throw new UsageError(`--python ${name}: not found on PATH; pass the full path of the interpreter`);
    out.push({ file, origin: 'explicit' });
  }
  return out;
}

async function whichOnPath(name: string, env: Env): Promise<string | null> {
  for (const dir of (env.PATH ?? '').split(':').filter(Boolean)) {
    if ((await pythonsIn(dir, () => true)).some((f) => path.basename(f) === name)) return path.join(dir, name);
  }
  return null;
}

async function searchDirs(origin: (typeof ORIGIN_ORDER)[number], env: Env, cacheDir: string): Promise<string[]> {
  const home = env.HOME || homedir();
  switch (origin) {
    case 'cache':
      return cacheBinDirs(cacheDir);
    case 'uv': {
      const roots = env.UV_PYTHON_INSTALL_DIR
        ? [env.UV_PYTHON_INSTALL_DIR]
        : [path.join(env.XDG_DATA_HOME || path.join(home, '.local', 'share'), 'uv', 'python')];
      return binDirsUnder(roots);
    }
    case 'pyenv':
      return binDirsUnder([path.join(env.PYENV_ROOT || path.join(home, '.pyenv'), 'versions')]);
    case 'path':
      return (env.PATH ?? '').split(':').filter(Boolean);
  }
}

/** `<root>/*\/bin` for each root, sorted for a stable order. */
async function binDirsUnder(roots: string[]): Promise<string[]> {
  const dirs: string[] = [];
  for (const root of roots) {
    for (const entry of (await listDir(root)).sort()) dirs.push(path.join(root, entry, 'bin'));
  }
  return dirs;
}

/** Installed cache prefixes only: a prefix without its marker is a build that did not finish. */
async function cacheBinDirs(cacheDir: string): Promise<string[]> {
  const dirs: string[] = [];
  const root = path.join(cacheDir, 'cpython');
  for (const key of (await listDir(root)).sort().reverse()) {
    for (const variant of Variant.options) {
      const prefix = path.join(root, key, variant);
      if (await readMarker(prefix)) dirs.push(path.join(prefix, 'bin'));
    }
  }
  return dirs;
}

async function pythonsIn(
  dir: string,
  accept: (name: string) => boolean = (n) => PYTHON_NAME.test(n),
): Promise<string[]> {
  return (await listDir(dir))
    .filter(accept)
    .sort(byPythonName)
    .map((name) => path.join(dir, name));
}

/** python3.13t before python3.13 before python3.9 before python3: the most specific names first. */
function byPythonName(a: string, b: string): number {
  const minor = (n: string) => Number(n.match(/^python3\.(\d+)/)?.[1] ?? -1);
  return minor(b) - minor(a) || b.localeCompare(a);
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
