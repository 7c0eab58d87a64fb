/**
 * gilbench's own runtime cache: where built interpreters live and the marker
 * file that says a build is complete.
 *
 * Layout:
 *   <cache>/cpython/<version>-<12 hex of the source hash>/{default,freethreaded}/   one prefix per variant (fast build)
 *   <cache>/cpython/<version>-<12 hex>-release/...                                    the same for a release build
 *   <cache>/apt/                                                                      the private apt state (indexes)
 *   <cache>/cpython/.../<variant>/gilbench-runtime.json                             the marker, written last
 *   <cache>/logs/<...>.log                                                           full build output
 *   <cache>/locks/<...>.lock                                                         one install at a time
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../fs/atomic-write.ts';

/** The two builds made from one CPython source. */
export const Variant = z.enum(['default', 'freethreaded']);
export type Variant = z.infer<typeof Variant>;

/**
 * How a runtime was built: `fast` (`--prefix` only: minutes) or `release` (PGO + LTO,
 * `--enable-optimizations --with-lto`, as distributions and python.org build it).
 */
export const BuildKind = z.enum(['fast', 'release']);
export type BuildKind = z.infer<typeof BuildKind>;

export const MARKER_FILE = 'gilbench-runtime.json';

/** What `<prefix>/gilbench-runtime.json` says; a prefix without it is not installed. */
export const RuntimeMarker = z.object({
  variant: Variant,
  version: z.string().regex(/^\d+\.\d+\.\d+\S*$/),
  /** A tarball or folder path, or `debian:<package> <debian version>`. */
  source: z.string().min(1),
  sourceSha256: z.string().regex(/^[0-9a-f]{64}$/),
  configureArgs: z.string(),
  builtAt: z.string().datetime({ offset: true }),
  /** Markers written before build kinds existed are fast builds. */
  buildKind: BuildKind.default('fast'),
  /** The Debian suite the source came from (markers without it came from trixie). */
  debianSuite: z.string().optional(),
  /** `git describe` of a git checkout given as --source. */
  revision: z.string().optional(),
  /** Seconds the build of this variant took, and the 1-minute load average when it started. */
  buildSeconds: z.number().nonnegative().optional(),
  loadAtStart: z.number().nonnegative().optional(),
});
export type RuntimeMarker = z.infer<typeof RuntimeMarker>;

type Env = Record<string, string | undefined>;

/**
 * The cache folder: `$XDG_CACHE_HOME/gilbench`, else `~/.cache/gilbench`.
 * @example defaultCacheDir({ XDG_CACHE_HOME: '/tmp/c' }) === '/tmp/c/gilbench'
 */
export function defaultCacheDir(env: Env = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  // The XDG spec says relative values are invalid and must be ignored.
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(env.HOME || homedir(), '.cache');
  return path.join(base, 'gilbench');
}

/**
 * The marker of an installed prefix, or null when it is missing or unreadable
 * (a prefix without a valid marker is a half-finished build).
 * @example const marker = await readMarker('/root/.cache/gilbench/cpython/3.13.5-93e583f24345/default');
 */
export async function readMarker(prefix: string): Promise<RuntimeMarker | null> {
  let text: string;
  try {
    text = await readFile(path.join(prefix, MARKER_FILE), 'utf8');
  } catch {
    return null;
  }
  try {
    const parsed = RuntimeMarker.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * Write the marker atomically and durably (temp file, fsync, rename, fsync of the folder): a reader never sees
 * half of it, and a marker that was written survives a crash, so a finished build is not rebuilt.
 * @example await writeMarker(prefix, { variant: 'default', version: '3.13.5', ... });
 */
export async function writeMarker(prefix: string, marker: z.input<typeof RuntimeMarker>): Promise<void> {
  const valid = RuntimeMarker.parse(marker);
  const target = path.join(prefix, MARKER_FILE);
  writeFileAtomic(target, `${JSON.stringify(valid, null, 2)}\n`);
}

/**
 * A human description of where a cached build came from, used as the runtime's revision.
 * @example describeSource(marker) === 'debian:python3.13 3.13.5-2+deb13u5'
 */
export function describeSource(marker: RuntimeMarker): string {
  if (marker.source.startsWith('debian:')) return marker.source;
  if (marker.revision) return `git ${marker.revision}`;
  return `${path.basename(marker.source)} sha256:${marker.sourceSha256.slice(0, 12)}`;
}
