import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../errors.ts';
import { GILBENCH_BIN } from '../test-support/index.ts';
import { writeMarker } from './cache.ts';
import { type DebianRelease, isServed, listDebianReleases, pickRelease, RELEASE_SUITES } from './debian-releases.ts';
import {
  isDebianFamily,
  type PrivateApt,
  pickDebianMirror,
  readSystemAptSources,
  updatePrivateApt,
} from './debian-source.ts';
import { installRuntime } from './install.ts';

const run = promisify(execFile);

function release(upstreamVersion: string, suite: string, debianRevision = '1'): DebianRelease {
  const minor = upstreamVersion.split('.').slice(0, 2).join('.');
  return {
    packageName: `python${minor}`,
    upstreamVersion,
    debianVersion: `${upstreamVersion}-${debianRevision}`,
    suite,
    directory: `pool/main/p/python${minor}`,
    orig: { file: `python${minor}_${upstreamVersion}.orig.tar.xz`, sha256: null, size: null },
  };
}

describe('pickRelease', () => {
  const releases = [
    release('3.13.5', 'trixie'),
    release('3.13.15', 'forky'),
    release('3.14.8', 'forky'),
    release('3.13.15', 'sid', '2'),
    release('3.13.18', 'sid'),
  ];

  it('finds an exact release in whichever suite lists it, the most stable suite first', () => {
    expect(pickRelease(releases, '3.13.15')).toMatchObject({ suite: 'forky', debianVersion: '3.13.15-1' });
    expect(pickRelease(releases, '3.13.18')?.suite).toBe('sid');
    expect(pickRelease(releases, '3.13.99')).toBeNull();
  });

  it('takes a minor from the first suite that carries it, so cpython@3.13 stays trixie’s release', () => {
    expect(pickRelease(releases, '3.13')?.upstreamVersion).toBe('3.13.5');
    expect(pickRelease(releases, '3.14')?.upstreamVersion).toBe('3.14.8');
    expect(pickRelease(releases, '3.1')).toBeNull();
  });
});

describe.skipIf(!isDebianFamily())('the Debian suites’ indexes (network: the system’s own mirror)', () => {
  let dir: string;
  let apt: PrivateApt | null = null;
  let releases: DebianRelease[] = [];
  /** The cache of the installs below (XDG_CACHE_HOME for the CLI): they share its apt state. */
  let cacheDir: string;

  beforeAll(async () => {
    if (!pickDebianMirror(await readSystemAptSources())) return;
    dir = await mkdtemp(path.join(tmpdir(), 'gilbench-releases-'));
    cacheDir = path.join(dir, 'xdg', 'gilbench');
    apt = await updatePrivateApt({ aptDir: path.join(dir, 'apt'), suites: RELEASE_SUITES });
    releases = await listDebianReleases(apt);
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('lists CPython source packages of every suite through a private apt state that names no host', async () => {
    if (!apt) return;
    expect(new Set(releases.map((r) => r.suite))).toEqual(new Set(RELEASE_SUITES));
    for (const r of releases) {
      expect(r.packageName).toMatch(/^python\d+\.\d+$/);
      expect(r.debianVersion.startsWith(`${r.upstreamVersion}-`)).toBe(true);
      expect(r.orig.file).toBe(`${r.packageName}_${r.upstreamVersion}.orig.tar.xz`);
    }
    const trixie = pickRelease(releases, '3.13');
    expect(trixie?.suite).toBe('trixie');
    // The host comes from the system's own apt sources, one deb-src line per suite.
    const list = await readFile(path.join(dir, 'apt', 'sources.list'), 'utf8');
    expect(list.trim().split('\n')).toEqual(
      RELEASE_SUITES.map((s) => `deb-src [signed-by=${DEB_KEYRING}] ${apt!.mirror} ${s} main`),
    );
  });

  it('knows trixie’s release is downloadable', async () => {
    if (!apt) return;
    expect(await isServed(apt.mirror, pickRelease(releases, '3.13')!)).toBe(true);
  });

  it('installs an exact release from a later suite: fetches its tarball and finds the build of that tarball', async () => {
    if (!apt) return;
    const trixie = pickRelease(releases, '3.13')!;
    let later: DebianRelease | null = null;
    for (const r of releases) {
      if (
        r.suite !== 'trixie' &&
        r.orig.sha256 &&
        r.upstreamVersion !== trixie.upstreamVersion &&
        (await isServed(apt.mirror, r))
      ) {
        later = r;
        break;
      }
    }
    if (!later) return;
    // A cache entry for that tarball not recorded as Debian's: only the downloaded tarball's sha256 can match it.
    const sha = later.orig.sha256!;
    const root = path.join(cacheDir, 'cpython', `${later.upstreamVersion}-${sha.slice(0, 12)}`);
    const minor = later.upstreamVersion.split('.').slice(0, 2).join('.');
    for (const variant of ['default', 'freethreaded'] as const) {
      const bin = path.join(root, variant, 'bin');
      await mkdir(bin, { recursive: true });
      await symlink('/usr/bin/python3', path.join(bin, `python${minor}${variant === 'freethreaded' ? 't' : ''}`));
      await writeMarker(path.join(root, variant), {
        variant,
        version: later.upstreamVersion,
        source: `/elsewhere/Python-${later.upstreamVersion}.tar.xz`,
        sourceSha256: sha,
        configureArgs: '',
        builtAt: new Date().toISOString(),
      });
    }
    const result = await installRuntime(`cpython@${later.upstreamVersion}`, { cacheDir });
    expect(result).toMatchObject({ alreadyInstalled: true, version: later.upstreamVersion, buildKind: 'fast', root });
  });

  it('refuses, in one line naming the version and --source, a listed release whose files are not served', async () => {
    if (!apt) return;
    let unserved: DebianRelease | null = null;
    for (const r of [...releases].reverse()) {
      if (!(await isServed(apt.mirror, r))) {
        unserved = r;
        break;
      }
    }
    // A full mirror serves everything: then there is nothing to refuse.
    if (!unserved) return;
    const attempt = installRuntime(`cpython@${unserved.upstreamVersion}`, { cacheDir });
    await expect(attempt).rejects.toBeInstanceOf(UsageError);
    await expect(attempt).rejects.toThrow(
      `CPython ${unserved.upstreamVersion} is listed in Debian ${unserved.suite}, but its source cannot be downloaded here; pass --source with a CPython ${unserved.upstreamVersion} tarball, folder or git checkout`,
    );
    // Through the CLI: exit 2, that one line, nothing built.
    const cli = await run('node', [GILBENCH_BIN, 'runtimes', 'install', `cpython@${unserved.upstreamVersion}`], {
      env: { ...process.env, XDG_CACHE_HOME: path.join(dir, 'xdg') },
      timeout: 120_000,
    }).catch((err: { code: number; stderr: string }) => err);
    expect('code' in cli ? cli.code : 0).toBe(2);
    expect(cli.stderr.trim().split('\n')).toHaveLength(1);
    expect(cli.stderr).toContain(`CPython ${unserved.upstreamVersion} is listed in Debian`);
  });
});

const DEB_KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';
