import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runtime } from '../schema.ts';
import { provisionedCpython } from '../test-support/cpython.ts';
import { buildKindOf, ProbeError, probeRuntime, runtimeId, sha256File } from './probe.ts';

const SYSTEM_PYTHON = '/usr/bin/python3';
const cpython = await provisionedCpython();
const DEFAULT_BUILD = cpython.gilExecutable;
const FT_BUILD = cpython.freeThreadedExecutable;

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'gilbench-probe-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const ask = (python: string, code: string) => execFileSync(python, ['-c', code]).toString().trim();

describe('probeRuntime', () => {
  it('describes the system python3 as the run document expects', async () => {
    const rt = await probeRuntime(SYSTEM_PYTHON);
    expect(Runtime.parse(rt)).toEqual(rt);
    const version = ask(SYSTEM_PYTHON, 'import platform; print(platform.python_version())');
    expect(rt).toMatchObject({
      id: `cpython-${version}`,
      implementation: 'cpython',
      version,
      freeThreaded: false,
      gilEnabledByDefault: true,
      executable: SYSTEM_PYTHON,
    });
    expect(rt.sha256).toBe(
      await sha256File(ask(SYSTEM_PYTHON, 'import os,sys; print(os.path.realpath(sys.executable))')),
    );
    expect(rt.compiler).toBe(ask(SYSTEM_PYTHON, 'import platform; print(platform.python_compiler())'));
  });

  const shim = path.join(homedir(), '.pyenv', 'shims', 'python3');
  it.skipIf(!existsSync(shim))('resolves a pyenv shim to the interpreter it runs', async () => {
    const rt = await probeRuntime(shim);
    expect(rt.executable).not.toContain('/shims/');
    expect(rt.executable).toBe(ask(shim, 'import sys; print(sys.executable)'));
  });

  it('reports the default build of the cache', async () => {
    const rt = await probeRuntime(DEFAULT_BUILD);
    expect(cpython.source).toMatch(/^debian:python3\.13 3\.13\.\d+-/);
    expect(rt).toMatchObject({
      id: `cpython-${cpython.version}`,
      version: cpython.version,
      freeThreaded: false,
      gilEnabledByDefault: true,
      revision: cpython.source,
      executable: DEFAULT_BUILD,
    });
    expect(rt.configureArgs).toContain('--without-ensurepip');
    expect(rt.configureArgs).not.toContain('--disable-gil');
  });

  it('reports the free-threaded build, whatever PYTHON_GIL the caller has set', async () => {
    const rt = await probeRuntime(FT_BUILD, { env: { ...process.env, PYTHON_GIL: '1' } });
    expect(rt).toMatchObject({
      id: `cpython-${cpython.version}t`,
      version: cpython.version,
      freeThreaded: true,
      gilEnabledByDefault: false,
      executable: FT_BUILD,
    });
    expect(rt.configureArgs).toContain('--disable-gil');
    expect(rt.sha256).not.toBe((await probeRuntime(DEFAULT_BUILD)).sha256);
  });

  it('runs a file once per (path, mtime, size), and reports each name it was asked about', async () => {
    const runs = path.join(tmp, 'runs');
    const wrapper = path.join(tmp, 'python3-wrapper');
    await writeFile(wrapper, `#!/bin/sh\necho run >> ${runs}\nexec ${SYSTEM_PYTHON} "$@"\n`);
    await chmod(wrapper, 0o755);
    const alias = path.join(tmp, 'python3-alias');
    await symlink(wrapper, alias);
    const countRuns = async () => (await readFile(runs, 'utf8')).split('\n').filter(Boolean).length;

    const first = await probeRuntime(wrapper);
    expect(await probeRuntime(wrapper)).toEqual(first);
    expect(await countRuns()).toBe(1);
    // The same file under another name is not run again.
    expect(await probeRuntime(alias)).toEqual(first);
    expect(await countRuns()).toBe(1);
    await utimes(wrapper, new Date(), new Date(Date.now() + 5000));
    expect(await probeRuntime(wrapper)).toEqual(first);
    expect(await countRuns()).toBe(2);
  });

  it('names an interpreter as it was asked about, even when its probe was reused', async () => {
    const other = path.join(tmp, 'python3-other-name');
    await symlink(SYSTEM_PYTHON, other);
    const direct = await probeRuntime(SYSTEM_PYTHON);
    const viaLink = await probeRuntime(other);
    expect(direct.executable).toBe(SYSTEM_PYTHON);
    expect(viaLink).toEqual({ ...direct, executable: other });
  });

  it('fails with a ProbeError naming the file and the reason', async () => {
    await expect(probeRuntime(path.join(tmp, 'missing'))).rejects.toThrow(/missing: not found/);

    const notPython = path.join(tmp, 'not-python');
    await writeFile(notPython, '#!/bin/sh\necho hello\n');
    await chmod(notPython, 0o755);
    await expect(probeRuntime(notPython)).rejects.toThrow(/not-python: is not a Python 3.6\+ interpreter/);

    const crashes = path.join(tmp, 'crashes');
    await writeFile(crashes, '#!/bin/sh\necho "boom: no such thing" >&2; exit 3\n');
    await chmod(crashes, 0o755);
    await expect(probeRuntime(crashes)).rejects.toThrow(/crashes: does not run \(boom: no such thing\)/);

    const hangs = path.join(tmp, 'hangs');
    await writeFile(hangs, '#!/bin/sh\nexec sleep 30\n');
    await chmod(hangs, 0o755);
    const err = await probeRuntime(hangs, { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProbeError);
    expect((err as ProbeError).reason).toMatch(/did not answer/);

    const notExecutable = path.join(tmp, 'plain-file');
    await writeFile(notExecutable, '');
    await expect(probeRuntime(notExecutable)).rejects.toThrow(/plain-file: not executable/);
  });

  it('builds ids with a t for free-threaded builds', () => {
    expect(runtimeId('cpython', '3.13.5', true)).toBe('cpython-3.13.5t');
    expect(runtimeId('cpython', '3.14.0rc1', false)).toBe('cpython-3.14.0rc1');
  });

  it('marks a release (PGO) build in its id; an interpreter gilbench did not build is judged by its configure args', () => {
    expect(runtimeId('cpython', '3.13.5', true, 'release')).toBe('cpython-3.13.5t-release');
    expect(runtimeId('cpython', '3.13.5', false, 'fast')).toBe('cpython-3.13.5');
    expect(buildKindOf("'--prefix=/usr' '--enable-optimizations' '--with-lto'")).toBe('release');
    expect(buildKindOf('--prefix=/x --without-ensurepip --disable-gil')).toBe('fast');
    expect(buildKindOf('--prefix=/x --enable-optimizations-not')).toBe('fast');
  });

  it('reports the provisioned pair as fast builds (the kind its marker records)', async () => {
    expect((await probeRuntime(cpython.freeThreadedExecutable)).buildKind).toBe('fast');
  });
});
