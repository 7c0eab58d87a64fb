import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../errors.ts';
import { provisionedCpython } from '../test-support/cpython.ts';
import { writeMarker } from './cache.ts';
import { discoverRuntimes, PYTHON_NAME } from './discover.ts';

const SYSTEM_PYTHON = '/usr/bin/python3';
let tmp: string;
let emptyHome: string;
let emptyCache: string;
/** An environment that finds nothing unless a test adds places. */
let bareEnv: Record<string, string | undefined>;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'gilbench-discover-'));
  emptyHome = path.join(tmp, 'home');
  emptyCache = path.join(tmp, 'no-cache');
  await mkdir(emptyHome);
  bareEnv = { HOME: emptyHome, PATH: path.join(tmp, 'no-bin') };
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function binDir(name: string, links: Record<string, string>): Promise<string> {
  const dir = path.join(tmp, name);
  await mkdir(dir, { recursive: true });
  for (const [file, target] of Object.entries(links)) await symlink(target, path.join(dir, file));
  return dir;
}

describe('discoverRuntimes', () => {
  it('finds python3 on PATH once, however many names point at it', async () => {
    const real = await realpath(SYSTEM_PYTHON);
    const bin = await binDir('path-bin', {
      python3: SYSTEM_PYTHON,
      [path.basename(real)]: real,
      'python3-config': '/bin/true',
      python: SYSTEM_PYTHON,
    });
    const found = await discoverRuntimes({ env: { ...bareEnv, PATH: bin }, cacheDir: emptyCache });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ origin: 'path', implementation: 'cpython', freeThreaded: false });
  });

  it('drops a copy of the same executable (same sha256) found elsewhere', async () => {
    const real = await realpath(SYSTEM_PYTHON);
    const copyDir = path.join(tmp, 'copy-bin');
    await mkdir(copyDir);
    await copyFile(real, path.join(copyDir, path.basename(real)));
    const linkDir = await binDir('link-bin', { python3: SYSTEM_PYTHON });
    const found = await discoverRuntimes({ env: { ...bareEnv, PATH: `${linkDir}:${copyDir}` }, cacheDir: emptyCache });
    expect(found.map((r) => r.executable)).toEqual([path.join(linkDir, 'python3')]);
  });

  it('finds uv and pyenv installs and labels them', async () => {
    const uvRoot = path.join(tmp, 'uv-python');
    await binDir('uv-python/cpython-3.11-linux-x86_64-gnu/bin', { python3: SYSTEM_PYTHON });
    const pyenvRoot = path.join(tmp, 'pyenv');
    const pyenvPython = path.join(homedir(), '.pyenv', 'versions', '3.12.1', 'bin', 'python3.12');
    const target = existsSync(pyenvPython) ? pyenvPython : SYSTEM_PYTHON;
    await binDir('pyenv/versions/3.12.1/bin', { 'python3.12': target });
    const found = await discoverRuntimes({
      env: { ...bareEnv, UV_PYTHON_INSTALL_DIR: uvRoot, PYENV_ROOT: pyenvRoot },
      cacheDir: emptyCache,
    });
    expect(found[0]).toMatchObject({
      origin: 'uv',
      executable: path.join(uvRoot, 'cpython-3.11-linux-x86_64-gnu/bin/python3'),
    });
    if (target === pyenvPython) expect(found[1]).toMatchObject({ origin: 'pyenv', version: '3.12.1' });
    else expect(found).toHaveLength(1); // the same interpreter again: deduplicated
  });

  it('resolves pyenv shims on the real PATH to real executables, each once', async () => {
    const found = await discoverRuntimes({ origins: ['path', 'pyenv'] });
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((r) => !r.executable.includes('/shims/'))).toBe(true);
    const reals = await Promise.all(found.map((r) => realpath(r.executable)));
    expect(new Set(reals).size).toBe(found.length);
    expect(new Set(found.map((r) => r.sha256)).size).toBe(found.length);
  });

  it('counts a cache prefix only once its marker is written', async () => {
    const cacheDir = path.join(tmp, 'cache');
    const prefix = path.join(cacheDir, 'cpython', '3.11.0-000000000000', 'default');
    await binDir('cache/cpython/3.11.0-000000000000/default/bin', { 'python3.11': SYSTEM_PYTHON });
    expect(await discoverRuntimes({ env: bareEnv, cacheDir })).toEqual([]);
    await writeMarker(prefix, {
      variant: 'default',
      version: '3.11.0',
      source: '/src/Python-3.11.0.tgz',
      sourceSha256: '0'.repeat(64),
      configureArgs: '',
      builtAt: new Date().toISOString(),
    });
    const found = await discoverRuntimes({ env: bareEnv, cacheDir });
    expect(found.map((r) => r.origin)).toEqual(['cache']);
  });

  it('puts explicit interpreters first and keeps their origin over other places', async () => {
    const bin = await binDir('explicit-bin', { python3: SYSTEM_PYTHON });
    const found = await discoverRuntimes({
      pythons: [SYSTEM_PYTHON],
      env: { ...bareEnv, PATH: bin },
      cacheDir: emptyCache,
    });
    expect(found.map((r) => [r.origin, r.executable])).toEqual([['explicit', SYSTEM_PYTHON]]);

    const fromEnv = await discoverRuntimes({
      env: { ...bareEnv, GILBENCH_PYTHON: `${SYSTEM_PYTHON}:` },
      cacheDir: emptyCache,
    });
    expect(fromEnv.map((r) => r.origin)).toEqual(['explicit']);
  });

  it('rejects an explicit interpreter that is missing or does not run, naming it', async () => {
    const missing = path.join(tmp, 'no', 'python3.13t');
    const err = await discoverRuntimes({ pythons: [missing], env: bareEnv, cacheDir: emptyCache }).catch((e) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toBe(`--python ${missing} not found; pass the path of a working python executable`);

    const broken = path.join(tmp, 'broken-python');
    await writeFile(broken, '#!/bin/sh\nexit 1\n', { mode: 0o755 });
    await expect(
      discoverRuntimes({ env: { ...bareEnv, GILBENCH_PYTHON: broken }, cacheDir: emptyCache }),
    ).rejects.toThrow(/broken-python does not run/);

    await expect(discoverRuntimes({ pythons: ['python3.99t'], env: bareEnv, cacheDir: emptyCache })).rejects.toThrow(
      /python3.99t: not found on PATH/,
    );
  });

  it('skips a non-explicit candidate that does not run, telling onSkip', async () => {
    const bin = path.join(tmp, 'skip-bin');
    await mkdir(bin);
    await writeFile(path.join(bin, 'python3.99'), '#!/bin/sh\nexit 127\n', { mode: 0o755 });
    const skipped: string[] = [];
    const found = await discoverRuntimes({
      env: { ...bareEnv, PATH: bin },
      cacheDir: emptyCache,
      onSkip: (file) => skipped.push(file),
    });
    expect(found).toEqual([]);
    expect(skipped).toEqual([path.join(bin, 'python3.99')]);
  });

  it("finds the cache's default and free-threaded builds, and the machine's python3", async () => {
    const { version } = await provisionedCpython();
    const found = await discoverRuntimes();
    // The fast pair npm test builds (a machine may also hold release builds of the same version).
    const cache = found.filter((r) => r.origin === 'cache' && r.version === version && r.buildKind === 'fast');
    expect(cache.map((r) => [r.id, r.freeThreaded, r.gilEnabledByDefault])).toEqual([
      [`cpython-${version}`, false, true],
      [`cpython-${version}t`, true, false],
    ]);
    const systemReal = await realpath(SYSTEM_PYTHON);
    const reals = await Promise.all(found.map((r) => realpath(r.executable)));
    expect(reals).toContain(systemReal);
  });

  it('looks at python3, python3.N and python3.Nt only', () => {
    expect(['python3', 'python3.13', 'python3.13t', 'python3.9'].every((n) => PYTHON_NAME.test(n))).toBe(true);
    expect(
      ['python', 'python2.7', 'python3-config', 'python3.13-config', 'python3.6m'].some((n) => PYTHON_NAME.test(n)),
    ).toBe(false);
  });
});
