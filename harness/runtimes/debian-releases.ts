/**
 * Which CPython releases Debian's suites carry, and which of them this
 * system's mirror actually serves: the lookup behind
 * `gilbench runtimes install cpython@3.13.15` and `gilbench runtimes available`.
 *
 * The index is the private apt state's `Sources` lists (see debian-source.ts),
 * read through apt's own tools (`apt-get indextargets`, `apt-helper cat-file`),
 * so their compression is apt's business. A release listed in an index is not
 * necessarily downloadable (a partial mirror); `isServed` asks the mirror for
 * the upstream tarball with a HEAD request before anything is fetched.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { PrivateApt } from './debian-source.ts';
import { compareVersions } from './modes.ts';

/** Suites searched for CPython releases, stable first: `cpython@X.Y` takes the first that carries X.Y. */
export const RELEASE_SUITES: readonly string[] = ['trixie', 'forky', 'sid'];

/** One CPython source package version in one suite's index. */
export interface DebianRelease {
  /** e.g. `python3.13` */
  packageName: string;
  /** e.g. `3.13.15` */
  upstreamVersion: string;
  /** e.g. `3.13.15-1` */
  debianVersion: string;
  suite: string;
  /** Pool folder, e.g. `pool/main/p/python3.13`. */
  directory: string;
  /** Upstream tarball's file name and sha256, as the index lists them. */
  orig: { file: string; sha256: string | null; size: number | null };
}

const PACKAGE = /^python(\d+)\.(\d+)$/;
const APT_HELPER = '/usr/lib/apt/apt-helper';

/**
 * Every CPython source package (`pythonX.Y`) in the private apt state's indexes, in `suites` order,
 * each suite's versions ascending.
 * @example (await listDebianReleases(apt)).map((r) => `${r.upstreamVersion} ${r.suite}`) // ['3.13.5 trixie', ...]
 */
export async function listDebianReleases(apt: PrivateApt): Promise<DebianRelease[]> {
  const targets = await output('apt-get', [
    ...apt.options,
    'indextargets',
    '--format',
    '$(FILENAME) $(CODENAME)',
    'Identifier: Sources',
  ]);
  const releases: DebianRelease[] = [];
  for (const line of targets.split('\n')) {
    const [file, suite] = line.trim().split(' ');
    if (!file || !suite || !existsSync(file)) continue;
    releases.push(...(await readSources(file, suite)));
  }
  return releases.sort(
    (a, b) =>
      RELEASE_SUITES.indexOf(a.suite) - RELEASE_SUITES.indexOf(b.suite) ||
      compareVersions(a.upstreamVersion, b.upstreamVersion),
  );
}

/** The CPython paragraphs of one Sources index, streamed (the whole index is tens of MB). */
async function readSources(file: string, suite: string): Promise<DebianRelease[]> {
  const child = spawn(APT_HELPER, ['cat-file', file], { stdio: ['ignore', 'pipe', 'ignore'] });
  const found: DebianRelease[] = [];
  let fields: Map<string, string> | null = null;
  let field = '';
  const finish = () => {
    const release = fields && toRelease(fields, suite);
    if (release) found.push(release);
    fields = null;
  };
  for await (const line of createInterface({ input: child.stdout })) {
    if (line === '') {
      finish();
      continue;
    }
    if (line.startsWith('Package: ')) {
      finish();
      // Only CPython's paragraphs are kept; the rest of the index is skipped line by line.
      fields = PACKAGE.test(line.slice(9).trim()) ? new Map([['package', line.slice(9).trim()]]) : null;
      continue;
    }
    if (!fields) continue;
    if (/^\s/.test(line)) fields.set(field, `${fields.get(field) ?? ''}\n${line.trim()}`);
    else {
      const colon = line.indexOf(':');
      field = line.slice(0, colon).toLowerCase();
      fields.set(field, line.slice(colon + 1).trim());
    }
  }
  finish();
  return found;
}

function toRelease(fields: Map<string, string>, suite: string): DebianRelease | null {
  const packageName = fields.get('package')!;
  const debianVersion = fields.get('version');
  const directory = fields.get('directory');
  if (!debianVersion || !directory) return null;
  const upstreamVersion = debianVersion.replace(/^\d+:/, '').replace(/-[^-]*$/, '');
  const origLine = (list: string | undefined) =>
    (list ?? '')
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .find((parts) => parts.length === 3 && /\.orig\.tar\.(xz|gz|bz2)$/.test(parts[2]!));
  const sha = origLine(fields.get('checksums-sha256'));
  const any = sha ?? origLine(fields.get('files'));
  if (!any) return null;
  return {
    packageName,
    upstreamVersion,
    debianVersion,
    suite,
    directory,
    orig: { file: any[2]!, sha256: sha?.[0] ?? null, size: Number(any[1]) || null },
  };
}

/**
 * Whether the mirror serves the release's upstream tarball (a HEAD request; no download).
 * @example await isServed(apt.mirror, release) // false for a version only listed in the index
 */
export async function isServed(mirror: string, release: DebianRelease, timeoutMs = 15_000): Promise<boolean> {
  const url = `${mirror}/${release.directory}/${release.orig.file}`;
  try {
    const response = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(timeoutMs) });
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * The release an install spec means: an exact version (`3.13.15`) from the first suite that lists it,
 * else for a minor (`3.13`) the first suite's newest; null when no index lists it.
 * @example pickRelease(releases, '3.13.15')?.suite // 'forky'
 */
export function pickRelease(releases: readonly DebianRelease[], version: string): DebianRelease | null {
  const exact = /^\d+\.\d+\.\d+/.test(version);
  const matching = releases.filter((r) =>
    exact ? r.upstreamVersion === version : r.upstreamVersion.startsWith(`${version}.`),
  );
  if (matching.length === 0) return null;
  // The same release in several suites is the same upstream tarball: the most stable suite names it.
  if (exact) return matching[0]!;
  const suite = matching[0]!.suite;
  return matching.filter((r) => r.suite === suite).at(-1)!;
}

function output(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} exited with ${code}: ${err.trim().split('\n')[0]}`)),
    );
  });
}
