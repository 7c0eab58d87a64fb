/**
 * Fetch CPython's source from Debian: the `python3.13` source package of a
 * Debian suite, downloaded with `apt-get source --download-only` through a
 * private apt state folder, so the system's apt setup is left as it was.
 *
 * The mirror is the one already in the system's apt sources (no host name is
 * written into gilbench); the upstream `<package>_<version>.orig.tar.xz` it
 * downloads is the tarball gilbench builds.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { UsageError } from '../errors.ts';

/** One apt source: a deb822 paragraph or a one-line `deb URI suite components` entry. */
export interface AptSource {
  types: string[];
  uris: string[];
  suites: string[];
  components: string[];
  enabled: boolean;
}

export const DEBIAN_KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';
/** Debian's own suite names; a mirror serving one of them serves trixie too. */
const DEBIAN_SUITES = new Set([
  'buster',
  'bullseye',
  'bookworm',
  'trixie',
  'forky',
  'duke',
  'sid',
  'experimental',
  'oldoldstable',
  'oldstable',
  'stable',
  'testing',
  'unstable',
]);

/**
 * Parse deb822 `.sources` text (paragraphs of `Key: value` fields).
 * @example parseDeb822Sources('Types: deb\nURIs: http://mirror/debian\nSuites: bookworm\nComponents: main\n')[0].uris
 */
export function parseDeb822Sources(text: string): AptSource[] {
  const sources: AptSource[] = [];
  for (const paragraph of text.split(/\n[ \t]*\n/)) {
    const fields = new Map<string, string>();
    let last: string | null = null;
    for (const line of paragraph.split('\n')) {
      if (line.startsWith('#') || line.trim() === '') continue;
      if (/^[ \t]/.test(line) && last) {
        // A continuation line (e.g. an inline Signed-By key) belongs to the previous field.
        fields.set(last, `${fields.get(last)} ${line.trim()}`);
        continue;
      }
      const match = line.match(/^([A-Za-z0-9-]+):\s*(.*)$/);
      if (!match) continue;
      last = match[1]!.toLowerCase();
      fields.set(last, match[2]!.trim());
    }
    if (!fields.has('types') || !fields.has('uris')) continue;
    const words = (key: string) => (fields.get(key) ?? '').split(/\s+/).filter(Boolean);
    sources.push({
      types: words('types'),
      uris: words('uris'),
      suites: words('suites'),
      components: words('components'),
      enabled: !/^(no|false|0)$/i.test(fields.get('enabled') ?? 'yes'),
    });
  }
  return sources;
}

/**
 * Parse one-line `sources.list` text: `deb [options] URI suite [component...]`.
 * @example parseOneLineSources('deb [arch=amd64] http://mirror/debian bookworm main')[0].suites // ['bookworm']
 */
export function parseOneLineSources(text: string): AptSource[] {
  const sources: AptSource[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    const match = line.match(/^(deb|deb-src)\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)(.*)$/);
    if (!match) continue;
    sources.push({
      types: [match[1]!],
      uris: [match[2]!],
      suites: [match[3]!],
      components: match[4]!.split(/\s+/).filter(Boolean),
      enabled: true,
    });
  }
  return sources;
}

/**
 * Read the system's apt sources: `sources.list` and `sources.list.d/*.list` / `*.sources`
 * (other names, such as `*.disabled`, are ignored, as apt does).
 * @example const sources = await readSystemAptSources();
 */
export async function readSystemAptSources(etcApt = '/etc/apt'): Promise<AptSource[]> {
  const sources: AptSource[] = [];
  const read = (file: string) => readFile(file, 'utf8').catch(() => '');
  sources.push(...parseOneLineSources(await read(path.join(etcApt, 'sources.list'))));
  const dir = path.join(etcApt, 'sources.list.d');
  const names = (await readdir(dir).catch(() => [] as string[])).sort();
  for (const name of names) {
    if (name.endsWith('.list')) sources.push(...parseOneLineSources(await read(path.join(dir, name))));
    if (name.endsWith('.sources')) sources.push(...parseDeb822Sources(await read(path.join(dir, name))));
  }
  return sources;
}

/**
 * The first enabled http(s) URI that serves a main Debian suite (not -security or -updates),
 * or null when the system has none (e.g. Ubuntu).
 * @example pickDebianMirror(await readSystemAptSources()) // the mirror the system already uses
 */
export function pickDebianMirror(sources: AptSource[]): string | null {
  for (const source of sources) {
    if (!source.enabled) continue;
    if (!source.types.some((t) => t === 'deb' || t === 'deb-src')) continue;
    if (!source.suites.some((s) => DEBIAN_SUITES.has(s))) continue;
    if (source.components.length > 0 && !source.components.includes('main')) continue;
    const uri = source.uris.find((u) => /^https?:\/\//.test(u));
    if (uri) return uri.replace(/\/+$/, '');
  }
  return null;
}

/** Whether `apt-get source` can be used here at all. */
export function isDebianFamily(): boolean {
  return existsSync('/etc/debian_version') && ['/usr/bin/apt-get', '/bin/apt-get'].some((p) => existsSync(p));
}

export interface DebianSource {
  /** The upstream tarball, e.g. `<dir>/python3.13_3.13.5.orig.tar.xz`. */
  tarball: string;
  /** Upstream version, e.g. `3.13.5`. */
  upstreamVersion: string;
  /** Debian's package version, e.g. `3.13.5-2+deb13u5`. */
  debianVersion: string;
  /** What the marker records: `debian:python3.13 3.13.5-2+deb13u5`. */
  description: string;
}

export interface FetchDebianSourceOptions {
  /** Source package, e.g. `python3.13`. */
  packageName: string;
  /** Debian suite carrying it, e.g. `trixie`; or several (`suites`), looked up together. */
  suite?: string;
  suites?: readonly string[];
  /** An exact Debian version, e.g. `3.13.15-1`; default: the one apt prefers. */
  debianVersion?: string;
  /** Where the downloaded files go (created). */
  downloadDir: string;
  /** Private apt state (lists, cache); created and reused. */
  aptDir: string;
  /** apt's output goes here (the install log). */
  log?: Writable;
  /** Mirror to use; default: the one in the system's apt sources. */
  mirror?: string;
}

/** apt-get failed (network, mirror); `message` says what apt said. */
export class DebianSourceError extends Error {
  override name = 'DebianSourceError';
}

/** A private apt state: its folder, the mirror it uses and the `-o` options that point apt at it. */
export interface PrivateApt {
  aptDir: string;
  mirror: string;
  options: string[];
}

export interface PrivateAptOptions {
  aptDir: string;
  suites: readonly string[];
  mirror?: string;
  log?: Writable;
}

/**
 * Make a private apt state with one deb-src line per suite on the system's mirror, and `apt-get update` it.
 * @example const apt = await updatePrivateApt({ aptDir, suites: ['trixie', 'sid'] });
 */
export async function updatePrivateApt(opts: PrivateAptOptions): Promise<PrivateApt> {
  const mirror = opts.mirror ?? pickDebianMirror(await readSystemAptSources());
  if (!mirror) throw new UsageError('no Debian mirror found in the apt sources; pass --source TARBALL|DIR');
  if (!existsSync(DEBIAN_KEYRING)) {
    throw new UsageError(`${DEBIAN_KEYRING} is missing; install debian-archive-keyring or pass --source`);
  }
  const emptyParts = path.join(opts.aptDir, 'empty-dir');
  for (const dir of [
    path.join(opts.aptDir, 'state', 'lists', 'partial'),
    path.join(opts.aptDir, 'cache', 'archives', 'partial'),
    emptyParts,
  ]) {
    await mkdir(dir, { recursive: true });
  }
  const sourcesList = path.join(opts.aptDir, 'sources.list');
  await writeFile(
    sourcesList,
    opts.suites.map((suite) => `deb-src [signed-by=${DEBIAN_KEYRING}] ${mirror} ${suite} main\n`).join(''),
  );
  const options = [
    ['Dir::State', path.join(opts.aptDir, 'state')],
    ['Dir::Cache', path.join(opts.aptDir, 'cache')],
    ['Dir::Etc::SourceList', sourcesList],
    ['Dir::Etc::SourceParts', emptyParts],
    ['Debug::NoLocking', '1'],
    ['Acquire::Retries', '2'],
  ].flatMap(([k, v]) => ['-o', `${k}=${v}`]);
  await runApt('update', ['-q', ...options, 'update'], opts.aptDir, opts.log);
  return { aptDir: opts.aptDir, mirror, options };
}

/**
 * Download a Debian source package with a private apt state folder and return its upstream tarball.
 * @example
 * const src = await fetchDebianSource({ packageName: 'python3.13', suite: 'trixie', downloadDir, aptDir });
 * src.description; // 'debian:python3.13 3.13.5-2+deb13u5'
 */
export async function fetchDebianSource(opts: FetchDebianSourceOptions): Promise<DebianSource> {
  const suites = opts.suites ?? (opts.suite ? [opts.suite] : []);
  if (suites.length === 0) throw new Error('fetchDebianSource needs a suite');
  const apt = await updatePrivateApt({ aptDir: opts.aptDir, suites, mirror: opts.mirror, log: opts.log });
  return downloadDebianSource(apt, opts);
}

/**
 * `apt-get source --download-only` with an updated private apt state; returns the upstream tarball.
 * @example const src = await downloadDebianSource(apt, { packageName: 'python3.13', debianVersion: '3.13.15-1', downloadDir });
 */
export async function downloadDebianSource(
  apt: PrivateApt,
  opts: Pick<FetchDebianSourceOptions, 'packageName' | 'debianVersion' | 'downloadDir' | 'log'>,
): Promise<DebianSource> {
  await mkdir(opts.downloadDir, { recursive: true });
  const wanted = opts.debianVersion ? `${opts.packageName}=${opts.debianVersion}` : opts.packageName;
  await runApt('source', ['-q', ...apt.options, 'source', '--download-only', wanted], opts.downloadDir, opts.log);
  const files = await readdir(opts.downloadDir);
  const dsc = files.find((f) => f.startsWith(`${opts.packageName}_`) && f.endsWith('.dsc'));
  const orig = files.find((f) => f.startsWith(`${opts.packageName}_`) && /\.orig\.tar\.(xz|gz|bz2)$/.test(f));
  if (!dsc || !orig) {
    throw new DebianSourceError(`apt-get source did not download ${opts.packageName}'s .dsc and .orig tarball`);
  }
  const dscText = await readFile(path.join(opts.downloadDir, dsc), 'utf8');
  const debianVersion = dscText.match(/^Version:\s*(\S+)/m)?.[1] ?? dsc.slice(opts.packageName.length + 1, -4);
  const upstreamVersion = orig.slice(opts.packageName.length + 1).replace(/\.orig\.tar\.\w+$/, '');
  return {
    tarball: path.join(opts.downloadDir, orig),
    upstreamVersion,
    debianVersion,
    description: `debian:${opts.packageName} ${debianVersion}`,
  };
}

/** Run apt-get (or apt-cache) and fail with a DebianSourceError naming apt's first error line. */
export function runApt(step: string, args: string[], cwd: string, log?: Writable, tool = 'apt-get'): Promise<void> {
  return new Promise((resolve, reject) => {
    log?.write(`$ ${tool} ${args.join(' ')}\n`);
    const child = spawn(tool, args, {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C' },
    });
    let tail = '';
    const keep = (chunk: Buffer) => {
      log?.write(chunk);
      tail = (tail + chunk.toString()).slice(-2000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (err) =>
      reject(new DebianSourceError(`apt-get could not start (${err.message}); pass --source`)),
    );
    child.on('close', (code) => {
      if (code === 0) return resolve();
      const reason = tail.split('\n').filter((l) => /^(E|W):/.test(l))[0] ?? `exit ${code}`;
      reject(new DebianSourceError(`apt-get ${step} failed (${reason.trim()}); pass --source TARBALL|DIR`));
    });
  });
}
