import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../errors.ts';
import { provisionedCpython } from '../test-support/cpython.ts';
import { readMarker, writeMarker } from './cache.ts';
import { isDebianFamily } from './debian-source.ts';
import { writeFakeSource, writeFakeTarball } from './fake-cpython-source.ts';
import {
  acquireLock,
  InstallError,
  type InstallEvent,
  installRuntime,
  isCompileLine,
  parseRuntimeSpec,
  parseTrainingLine,
} from './install.ts';

let tmp: string;
let cacheDir: string;
let counter: string;
let env: Record<string, string | undefined>;

beforeEach(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'gilbench-install-'));
  cacheDir = path.join(tmp, 'cache');
  counter = path.join(tmp, 'configure-runs');
  env = { ...process.env, FAKE_BUILD_COUNTER: counter };
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const configureRuns = async () => (await readFile(counter, 'utf8').catch(() => '')).split('\n').filter(Boolean);

/** Everything under the cache except logs: what an install left behind. */
async function leftovers(): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, rel: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const relPath = path.join(rel, entry.name);
      if (entry.isDirectory()) {
        out.push(`${relPath}/`);
        await walk(path.join(dir, entry.name), relPath);
      } else out.push(relPath);
    }
  };
  await walk(cacheDir, '');
  return out.filter((p) => !p.startsWith('logs'));
}

describe('installRuntime with a fake source', () => {
  it('builds both variants from a folder, writes the markers, and is a no-op the second time', async () => {
    const src = await writeFakeSource(path.join(tmp, 'src'));
    const events: InstallEvent[] = [];
    const first = await installRuntime('cpython@3.13', {
      source: src,
      cacheDir,
      env,
      jobs: 1,
      onEvent: (e) => events.push(e),
    });

    expect(first.alreadyInstalled).toBe(false);
    expect(first.version).toBe('3.13.99');
    expect(path.basename(first.root)).toMatch(/^3\.13\.99-[0-9a-f]{12}$/);
    expect(first.variants.map((v) => path.relative(first.root, v.executable))).toEqual([
      'default/bin/python3.13',
      'freethreaded/bin/python3.13t',
    ]);
    const ft = await readMarker(path.join(first.root, 'freethreaded'));
    expect(ft).toMatchObject({ variant: 'freethreaded', version: '3.13.99', source: src });
    expect(ft?.configureArgs).toBe(
      `--prefix=${path.join(first.root, 'freethreaded')} --without-ensurepip --disable-gil`,
    );
    expect((await readMarker(path.join(first.root, 'default')))?.configureArgs).not.toContain('--disable-gil');
    // The installed wrapper runs.
    expect(spawnSync(first.variants[0]!.executable, ['-c', 'print(6*7)']).stdout.toString().trim()).toBe('42');

    const phases = events.filter((e) => e.type === 'phase').map((e) => `${e.variant} ${e.phase}`);
    expect(phases).toEqual([
      'default extract',
      'default configure',
      'default make',
      'default install',
      'freethreaded extract',
      'freethreaded configure',
      'freethreaded make',
      'freethreaded install',
    ]);
    expect(events.filter((e) => e.type === 'objects')).toHaveLength(4);
    expect(await readFile(first.logFile!, 'utf8')).toContain('checking for a fake compiler... yes');
    // No scratch folder, staging tree or lock left.
    expect((await leftovers()).filter((p) => !p.startsWith('cpython'))).toEqual(['build/', 'locks/']);

    const second = await installRuntime('cpython@3.13', { source: src, cacheDir, env });
    expect(second.alreadyInstalled).toBe(true);
    expect(second.logFile).toBeNull();
    expect(second.variants.map((v) => v.executable)).toEqual(first.variants.map((v) => v.executable));
    expect(await configureRuns()).toHaveLength(2);
  });

  it('builds from a release tarball with a top folder', async () => {
    const tarball = await writeFakeTarball(path.join(tmp, 'dist'), { version: '3.13.98' });
    const result = await installRuntime('cpython@3.13', { source: tarball, cacheDir, env, jobs: 1 });
    const marker = await readMarker(path.join(result.root, 'default'));
    const { createHash } = await import('node:crypto');
    const sha = createHash('sha256')
      .update(await readFile(tarball))
      .digest('hex');
    expect(marker?.sourceSha256).toBe(sha);
    expect(path.basename(result.root)).toBe(`3.13.98-${sha.slice(0, 12)}`);
    expect(existsSync(path.join(result.root, 'freethreaded', 'bin', 'python3.13t'))).toBe(true);
  });

  it('keys a git work tree by its HEAD commit', async () => {
    const src = await writeFakeSource(path.join(tmp, 'git-src'));
    const git = (...args: string[]) =>
      spawnSync('git', ['-C', src, '-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args])
        .stdout.toString()
        .trim();
    git('init', '-q');
    git('add', '.');
    git('commit', '-q', '-m', 'fake');
    const head = git('rev-parse', 'HEAD');
    expect(head).toMatch(/^[0-9a-f]{40}$/);
    const result = await installRuntime('cpython@3.13', { source: src, cacheDir, env });
    const { createHash } = await import('node:crypto');
    const sha = createHash('sha256').update(`git:${head}`).digest('hex');
    expect(result.variants[0]!.marker).toMatchObject({ sourceSha256: sha, source: `${src} (git ${head})` });
    // The copy built from leaves the user's tree clean.
    expect(git('status', '--porcelain')).toBe('');
  });

  it('leaves nothing installed when configure fails, and says where the log is', async () => {
    const src = await writeFakeSource(path.join(tmp, 'src'), { failConfigure: true });
    const err = await installRuntime('cpython@3.13', { source: src, cacheDir, env }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InstallError);
    const { message, logFile } = err as InstallError;
    expect(message).toMatch(/\(default\) failed during configure/);
    expect(message).toContain(logFile);
    expect(await readFile(logFile, 'utf8')).toContain('configure: error: no fake compiler found');
    expect((await leftovers()).filter((p) => p.startsWith('cpython/') && p.split('/').length > 3)).toEqual([]);
    expect(await readdir(path.join(cacheDir, 'build'))).toEqual([]);
    expect(await readdir(path.join(cacheDir, 'locks'))).toEqual([]);
  });

  it('keeps a finished variant when the other fails in make install, without its half-copied files', async () => {
    const src = await writeFakeSource(path.join(tmp, 'src'), { failFreeThreadedInstall: true });
    const err = await installRuntime('cpython@3.13', { source: src, cacheDir, env }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/\(freethreaded\) failed during install/);
    const [key] = await readdir(path.join(cacheDir, 'cpython'));
    const root = path.join(cacheDir, 'cpython', key!);
    expect(await readMarker(path.join(root, 'default'))).not.toBeNull();
    expect(existsSync(path.join(root, 'freethreaded'))).toBe(false);
    expect(await readdir(path.join(cacheDir, 'build'))).toEqual([]);
  });

  it('removes a prefix without a marker and builds it again', async () => {
    const src = await writeFakeSource(path.join(tmp, 'src'));
    const first = await installRuntime('cpython@3.13', { source: src, cacheDir, env });
    const ftPrefix = path.join(first.root, 'freethreaded');
    await rm(path.join(ftPrefix, 'gilbench-runtime.json'));
    await writeFile(path.join(ftPrefix, 'half-written'), '');
    const events: InstallEvent[] = [];
    const second = await installRuntime('cpython@3.13', { source: src, cacheDir, env, onEvent: (e) => events.push(e) });
    expect(second.alreadyInstalled).toBe(false);
    expect(existsSync(path.join(ftPrefix, 'half-written'))).toBe(false);
    expect(await readMarker(ftPrefix)).not.toBeNull();
    expect(events).toContainEqual({ type: 'note', text: `removing unfinished build at ${ftPrefix}` });
    // Only the free-threaded variant was built again.
    expect(await configureRuns()).toHaveLength(3);
  });

  it('builds once when two installs of the same source run at the same time', async () => {
    const src = await writeFakeSource(path.join(tmp, 'src'), { makeSeconds: 1 });
    const [a, b] = await Promise.all([
      installRuntime('cpython@3.13', { source: src, cacheDir, env }),
      installRuntime('cpython@3.13', { source: src, cacheDir, env }),
    ]);
    expect([a.alreadyInstalled, b.alreadyInstalled].sort()).toEqual([false, true]);
    expect(await configureRuns()).toHaveLength(2);
  });

  it('makes a release build (PGO + LTO) that survives a failing test in the training run and logs it', async () => {
    const src = await writeFakeSource(path.join(tmp, 'src'), { failingPgoTests: ['test_generators'] });
    const events: InstallEvent[] = [];
    const result = await installRuntime('cpython@3.13', {
      source: src,
      cacheDir,
      env,
      build: 'release',
      onEvent: (e) => events.push(e),
    });
    expect(result).toMatchObject({ alreadyInstalled: false, buildKind: 'release' });
    // Its own cache entry: a release build never stands in for a fast one of the same source.
    expect(path.basename(result.root)).toMatch(/^3\.13\.99-[0-9a-f]{12}-release$/);
    for (const v of result.variants) {
      expect(v.marker.buildKind).toBe('release');
      expect(v.marker.configureArgs).toContain('--enable-optimizations --with-lto');
      expect(v.marker.buildSeconds).toBeGreaterThanOrEqual(0);
    }
    const training = events.filter((e) => e.type === 'training');
    expect(training.map((e) => (e.type === 'training' ? `${e.variant} ${e.done}/${e.total} ${e.test}` : ''))).toEqual([
      'default 1/3 test_array',
      'default 2/3 test_generators',
      'default 3/3 test_json',
      'freethreaded 1/3 test_array',
      'freethreaded 2/3 test_generators',
      'freethreaded 3/3 test_json',
    ]);
    expect(events).toContainEqual({ type: 'phase', variant: 'default', phase: 'train' });
    const log = await readFile(result.logFile!, 'utf8');
    expect(log).toContain('gilbench PGO training: the test runner exited with 2 (failed: test_generators)');
    // A fast build of the same source is another runtime, built separately.
    const fast = await installRuntime('cpython@3.13', { source: src, cacheDir, env });
    expect(fast).toMatchObject({ alreadyInstalled: false, buildKind: 'fast' });
    expect(fast.root).toBe(result.root.replace(/-release$/, ''));
  });

  it('a release build stops when the training run crashes before any test', async () => {
    const src = await writeFakeSource(path.join(tmp, 'src'), { crashPgo: true });
    await expect(installRuntime('cpython@3.13', { source: src, cacheDir, env, build: 'release' })).rejects.toThrow(
      /failed during make/,
    );
  });

  it('rejects bad input before building anything', async () => {
    const src = await writeFakeSource(path.join(tmp, 'src'), { version: '3.12.4' });
    await expect(installRuntime('cpython@3.13', { source: src, cacheDir, env })).rejects.toThrow(
      /is CPython 3\.12\.4, not 3\.13/,
    );
    await expect(installRuntime('cpython@3.13', { source: path.join(tmp, 'nope'), cacheDir })).rejects.toThrow(
      /--source .*nope does not exist/,
    );
    await expect(installRuntime('cpython@3.13', { source: tmp, cacheDir })).rejects.toThrow(/no configure script/);
    await expect(installRuntime('cpython@3.13', { source: src, cacheDir, jobs: 0 })).rejects.toThrow(/--jobs/);
    await expect(installRuntime('pypy@3.10', { cacheDir })).rejects.toBeInstanceOf(UsageError);
    expect(await configureRuns()).toEqual([]);
    expect(existsSync(path.join(cacheDir, 'cpython'))).toBe(false);
  });
});

describe('acquireLock', () => {
  it('waits for a live holder, then gives up with a UsageError naming it', async () => {
    const file = path.join(tmp, 'locks', 'x.lock');
    const release = await acquireLock(file, 0);
    const waited: number[] = [];
    await expect(acquireLock(file, 200, (pid) => waited.push(pid))).rejects.toThrow(
      new RegExp(`pid ${process.pid}\\) holds`),
    );
    expect(waited).toEqual([process.pid]);
    await release();
    expect(existsSync(file)).toBe(false);
    const again = await acquireLock(file, 0);
    await again();
  });

  it('takes over a lock whose process is gone', async () => {
    const dead = spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim();
    const file = path.join(tmp, 'locks', 'stale.lock');
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, `${dead}\n`);
    const release = await acquireLock(file, 0);
    expect((await readFile(file, 'utf8')).trim()).toBe(String(process.pid));
    await release();
  });

  it('makes an install of a locked source wait and fail without building', async () => {
    const src = await writeFakeSource(path.join(tmp, 'src'));
    const { createHash } = await import('node:crypto');
    const { stat } = await import('node:fs/promises');
    // The folder's key, as the installer computes it (not a git tree: path + mtime).
    const identity = `dir:${src}:${(await stat(src)).mtimeMs}`;
    const key = `3.13.99-${createHash('sha256').update(identity).digest('hex').slice(0, 12)}`;
    const release = await acquireLock(path.join(cacheDir, 'locks', `cpython-${key}.lock`), 0);
    try {
      await expect(installRuntime('cpython@3.13', { source: src, cacheDir, env, lockWaitMs: 300 })).rejects.toThrow(
        /another gilbench install/,
      );
      expect(await configureRuns()).toEqual([]);
    } finally {
      await release();
    }
  });
});

describe('the real cache', () => {
  it('is a no-op for cpython@3.13 without a source (no network, no build)', async () => {
    const provisioned = await provisionedCpython();
    // With no PATH, apt-get, tar and make cannot even be found: anything but a no-op would fail.
    const result = await installRuntime('cpython@3.13', { env: { ...process.env, PATH: '/nonexistent' } });
    expect(result.alreadyInstalled).toBe(true);
    expect(result.logFile).toBeNull(); // nothing was built, so nothing was logged
    expect(result.version).toBe(provisioned.version);
    expect(result.variants.map((v) => v.executable)).toEqual([
      provisioned.gilExecutable,
      provisioned.freeThreadedExecutable,
    ]);
    expect(result.variants[0]!.marker.source).toMatch(/^debian:python3\.13 3\.13\.\d+-/);
  });
});

describe.skipIf(!isDebianFamily())('installRuntime without --source (network: the system’s Debian mirror)', () => {
  it('fetches the Debian tarball, hashes it and finds a build of that same tarball', async () => {
    // A cache entry for the upstream 3.13.5 tarball that is not recorded as Debian's:
    // only the fetched tarball's sha256 can match it, so this takes the whole fetch path.
    const sha = '93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640';
    const root = path.join(cacheDir, 'cpython', `3.13.5-${sha.slice(0, 12)}`);
    for (const variant of ['default', 'freethreaded'] as const) {
      const bin = path.join(root, variant, 'bin');
      await mkdir(bin, { recursive: true });
      await symlink('/usr/bin/python3', path.join(bin, variant === 'default' ? 'python3.13' : 'python3.13t'));
      await writeMarker(path.join(root, variant), {
        variant,
        version: '3.13.5',
        source: '/elsewhere/Python-3.13.5.tar.xz',
        sourceSha256: sha,
        configureArgs: '',
        builtAt: new Date().toISOString(),
      });
    }
    const events: InstallEvent[] = [];
    const result = await installRuntime('cpython@3.13', { cacheDir, onEvent: (e) => events.push(e) });
    expect(events).toEqual([{ type: 'phase', variant: null, phase: 'fetch' }]);
    expect(result).toMatchObject({ alreadyInstalled: true, version: '3.13.5', root });
    // The download went to a scratch folder that is gone; the apt output went to the log.
    expect(await readdir(path.join(cacheDir, 'tmp'))).toEqual([]);
    const [log] = await readdir(path.join(cacheDir, 'logs'));
    expect(await readFile(path.join(cacheDir, 'logs', log!), 'utf8')).toMatch(
      /apt-get .*source --download-only python3\.13/,
    );
  });
});

describe('helpers', () => {
  it('parses a minor, an exact release or a bare cpython, from 3.13 on (no version hard-coded)', () => {
    expect(parseRuntimeSpec('cpython@3.13')).toMatchObject({ minor: '3.13', exact: null, debianPackage: 'python3.13' });
    expect(parseRuntimeSpec('cpython@3.13.15')).toMatchObject({ minor: '3.13', exact: '3.13.15' });
    expect(parseRuntimeSpec('cpython@3.15.0rc1')).toMatchObject({ minor: '3.15', exact: '3.15.0rc1' });
    expect(parseRuntimeSpec('cpython@4.0')).toMatchObject({ minor: '4.0', debianPackage: 'python4.0' });
    expect(parseRuntimeSpec('cpython')).toMatchObject({ minor: null, exact: null, debianPackage: null });
    // Older than free-threading, or not a version: the forms that work are named.
    for (const bad of ['cpython@3.12', 'cpython@3.12.4', 'pypy@3.10', 'cpython@3', 'cpython@latest']) {
      expect(() => parseRuntimeSpec(bad)).toThrow(
        new RegExp(
          `unknown runtime '${bad}'; installable runtimes: cpython@X\\.Y or cpython@X\\.Y\\.Z \\(3\\.13 and later`,
        ),
      );
    }
  });

  it('reads the PGO training run’s progress lines', () => {
    expect(parseTrainingLine('0:00:05 load avg: 1.20 [ 3/44] test_array')).toEqual({
      done: 3,
      total: 44,
      test: 'test_array',
    });
    // After a failure the runner counts failures in a third field.
    expect(parseTrainingLine('0:09:02 load avg: 3.1 [40/44/1] test_generators failed (1 failure)')).toEqual({
      done: 40,
      total: 44,
      test: 'test_generators',
    });
    expect(parseTrainingLine('gcc -c -o Objects/a.o Objects/a.c')).toBeNull();
  });

  it('counts compile lines, not link or install lines', () => {
    expect(isCompileLine('gcc -c -O3 -I./Include -DPy_BUILD_CORE -o Parser/token.o Parser/token.c')).toBe(true);
    expect(isCompileLine('gcc -fPIC -O3 -c ./Modules/_csv.c -o Modules/_csv.o')).toBe(true);
    expect(isCompileLine('gcc -shared Modules/_csv.o -o Modules/_csv.cpython-313-x86_64-linux-gnu.so')).toBe(false);
    expect(isCompileLine('/usr/bin/install -c -m 644 ./Lib/os.py /x/lib/python3.13')).toBe(false);
  });
});
