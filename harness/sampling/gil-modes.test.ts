/**
 * The GIL as the free-threaded runtime decides: a C extension that does not
 * declare `Py_mod_gil`, compiled here with gcc against each real runtime's
 * headers, imported in a user suite's setup.
 *
 *   nogil         (no PYTHON_GIL)  the import turns the GIL on: invalid, naming the module
 *   nogil-forced  (PYTHON_GIL=0)   measured, with a warning naming the module
 *   gil           (default build)  ok, nothing to say
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverRuntimes } from '../runtimes/discover.ts';
import { resolveModes } from '../runtimes/modes.ts';
import type { Mode, Result } from '../schema.ts';
import { provisionedCpython } from '../test-support/cpython.ts';
import { measureCaseInModes } from './measure.ts';
import { getProfile } from './profiles.ts';

const run = promisify(execFile);

// Single-phase init and no Py_mod_gil slot: CPython assumes the module needs the GIL.
const EXTENSION_C = `#include <Python.h>
static PyObject *twice(PyObject *self, PyObject *arg) { return PyLong_FromLong(2 * PyLong_AsLong(arg)); }
static PyMethodDef methods[] = {{"twice", twice, METH_O, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "gilext", NULL, -1, methods};
PyMODINIT_FUNC PyInit_gilext(void) { return PyModule_Create(&def); }
`;

const SUITE_PY = `"""A user suite whose setup imports an unmarked C extension."""

def setup_twice():
    import gilext
    return gilext


def bench_twice(loops, ext):
    total = 0
    for i in range(loops):
        total += ext.twice(i)
    return total
`;

let dir: string;
let results: Map<string, Result>;
let modes: Mode[];

/** Builds gilext for one interpreter, next to the suite (the suffix differs per build, so both fit). */
async function compileFor(python: string): Promise<void> {
  const { stdout } = await run(python, [
    '-c',
    "import sysconfig; print(sysconfig.get_paths()['include']); print(sysconfig.get_config_var('EXT_SUFFIX'))",
  ]);
  const [include, suffix] = stdout.trim().split('\n');
  await run('gcc', ['-shared', '-fPIC', '-O1', `-I${include}`, '-o', path.join(dir, `gilext${suffix}`), 'gilext.c'], {
    cwd: dir,
  });
}

beforeAll(async () => {
  const cpython = await provisionedCpython();
  dir = await mkdtemp(path.join(tmpdir(), 'gilbench-gilext-'));
  await writeFile(path.join(dir, 'gilext.c'), EXTENSION_C);
  await writeFile(path.join(dir, 'suite.py'), SUITE_PY);
  await compileFor(cpython.gilExecutable);
  await compileFor(cpython.freeThreadedExecutable);
  modes = resolveModes(
    ['gil', 'nogil', 'nogil-forced'],
    await discoverRuntimes({ pythons: [cpython.gilExecutable, cpython.freeThreadedExecutable] }),
  );
  const measured = await measureCaseInModes({
    modes,
    suite: 'gilext',
    file: path.join(dir, 'suite.py'),
    benchmark: 'twice',
    params: {},
    profile: getProfile('quick'),
  });
  results = new Map(measured.map((r) => [modes.find((m) => m.id === r.mode)!.mode, r]));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('an extension without Py_mod_gil, imported in setup', () => {
  it('nogil runs with no PYTHON_GIL, sees the GIL come back and is invalid, naming the module and what to do', () => {
    expect(modes.find((m) => m.mode === 'nogil')!.env).toEqual({});
    const r = results.get('nogil')!;
    expect(r.status).toBe('invalid');
    expect(r.gil.afterLoad).toBe(true);
    expect(r.gil.enabledBy).toEqual(['gilext']);
    const warning = r.warnings.find((w) => w.code === 'gil-reenabled');
    expect(warning?.message).toContain("module 'gilext'");
    expect(warning?.message).toContain('--mode nogil-forced');
  });

  it('nogil-forced measures with the GIL off and warns that the module would have turned it on', () => {
    const r = results.get('nogil-forced')!;
    expect(r.status).toBe('ok');
    expect(r.stats).not.toBeNull();
    expect(r.gil).toMatchObject({ afterLoad: false, afterRun: false, enabledBy: ['gilext'] });
    const warning = r.warnings.find((w) => w.code === 'gil-forced-off');
    expect(warning?.message).toContain("module 'gilext'");
  });

  it('the default build measures it without a GIL warning', () => {
    const r = results.get('gil')!;
    expect(r.status).toBe('ok');
    expect(r.gil.enabledBy).toBeUndefined();
    expect(r.warnings.map((w) => w.code)).not.toContain('gil-reenabled');
    expect(r.warnings.map((w) => w.code)).not.toContain('gil-forced-off');
  });

  it('every mode computed the same thing', () => {
    expect(new Set([...results.values()].map((r) => r.checksum)).size).toBe(1);
  });
});
