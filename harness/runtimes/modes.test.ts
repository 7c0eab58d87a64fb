import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.ts';
import { Mode } from '../schema.ts';
import { provisionedCpython } from '../test-support/cpython.ts';
import { discoverRuntimes, type FoundRuntime, type RuntimeOrigin } from './discover.ts';
import { compareVersions, parseRuntimeSelector, resolveModes } from './modes.ts';

function runtime(
  version: string,
  freeThreaded: boolean,
  origin: RuntimeOrigin,
  buildKind?: 'fast' | 'release',
): FoundRuntime {
  const id = `cpython-${version}${freeThreaded ? 't' : ''}${buildKind === 'release' ? '-release' : ''}`;
  return {
    id,
    implementation: 'cpython',
    version,
    freeThreaded,
    gilEnabledByDefault: !freeThreaded,
    configureArgs: freeThreaded ? '--disable-gil' : '',
    compiler: 'GCC 12.2.0',
    revision: null,
    executable: `/opt/${origin}/${id}/bin/python3`,
    sha256: 'a'.repeat(64),
    ...(buildKind ? { buildKind } : {}),
    origin,
  };
}

const ids = (modes: Mode[]) => modes.map((m) => m.id);

describe('resolveModes', () => {
  it('gives each mode its runtime and environment', () => {
    const modes = resolveModes(
      ['gil', 'nogil', 'nogil-forced', 'ft-gil'],
      [runtime('3.13.5', false, 'cache'), runtime('3.13.5', true, 'cache')],
    );
    expect(modes.map((m) => [m.id, m.env])).toEqual([
      ['cpython-3.13.5/gil', {}],
      // nogil as users run it: the build decides, so no PYTHON_GIL (issue #15).
      ['cpython-3.13.5t/nogil', {}],
      ['cpython-3.13.5t/nogil-forced', { PYTHON_GIL: '0' }],
      ['cpython-3.13.5t/ft-gil', { PYTHON_GIL: '1' }],
    ]);
    for (const mode of modes) {
      expect(Mode.parse(mode)).toEqual(mode);
      expect(mode.runtime).not.toHaveProperty('origin');
    }
  });

  it('pairs the gil mode with a default build of the free-threaded build’s version', () => {
    const runtimes = [
      runtime('3.14.0', false, 'pyenv'),
      runtime('3.13.0', false, 'pyenv'),
      runtime('3.13.5', false, 'path'),
      runtime('3.13.5', true, 'cache'),
    ];
    expect(ids(resolveModes(['gil', 'nogil'], runtimes))).toEqual(['cpython-3.13.5/gil', 'cpython-3.13.5t/nogil']);
    // Without that exact version, the same minor version wins over a newer one.
    const noExact = runtimes.filter((r) => r.version !== '3.13.5' || r.freeThreaded);
    expect(ids(resolveModes(['gil', 'nogil'], noExact))).toEqual(['cpython-3.13.0/gil', 'cpython-3.13.5t/nogil']);
    // Alone, gil takes the newest default build.
    expect(ids(resolveModes(['gil'], runtimes))).toEqual(['cpython-3.14.0/gil']);
  });

  it('prefers explicit over cache over other origins, then the newest', () => {
    const threaded = [
      runtime('3.14.0', true, 'uv'),
      runtime('3.13.5', true, 'cache'),
      runtime('3.13.1', true, 'explicit'),
    ];
    expect(ids(resolveModes(['nogil'], threaded))).toEqual(['cpython-3.13.1t/nogil']);
    expect(ids(resolveModes(['nogil'], threaded.slice(0, 2)))).toEqual(['cpython-3.13.5t/nogil']);
    expect(ids(resolveModes(['nogil'], threaded.slice(0, 1)))).toEqual(['cpython-3.14.0t/nogil']);
    expect(ids(resolveModes(['nogil'], [runtime('3.13.1', true, 'uv'), runtime('3.13.4', true, 'path')]))).toEqual([
      'cpython-3.13.4t/nogil',
    ]);
  });

  it('lets an explicit default build choose the free-threaded version', () => {
    const runtimes = [
      runtime('3.14.0', true, 'cache'),
      runtime('3.13.5', true, 'cache'),
      runtime('3.13.5', false, 'explicit'),
    ];
    expect(ids(resolveModes(['gil', 'nogil'], runtimes))).toEqual(['cpython-3.13.5/gil', 'cpython-3.13.5t/nogil']);
  });

  it('filters by version: 3.13 means 3.13.x', () => {
    const runtimes = [
      runtime('3.14.0', true, 'cache'),
      runtime('3.13.5', true, 'cache'),
      runtime('3.13.5', false, 'path'),
    ];
    expect(ids(resolveModes(['nogil', 'gil'], runtimes, { version: '3.13' }))).toEqual([
      'cpython-3.13.5t/nogil',
      'cpython-3.13.5/gil',
    ]);
    expect(() => resolveModes(['gil'], runtimes, { version: '3.14' })).toThrow(
      "no default (GIL) CPython 3.14 found for mode 'gil'; pass --python /path/to/python3.14",
    );
  });

  it('says what to do when no runtime can serve a mode', () => {
    const onlyDefault = [runtime('3.11.2', false, 'path')];
    const err = (() => {
      try {
        resolveModes(['gil', 'nogil'], onlyDefault);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe(
      "no free-threaded CPython found for mode 'nogil'; run `gilbench runtimes install cpython@3.13` or pass --python /path/to/python3.13t",
    );
    expect(() => resolveModes(['gil'], [runtime('3.13.5', true, 'cache')])).toThrow(
      "no default (GIL) CPython found for mode 'gil'; run `gilbench runtimes install cpython@3.13` or pass --python /path/to/python3.13",
    );
    expect(() => resolveModes(['gil'], [])).toThrow(UsageError);
  });

  it('rejects unknown and missing mode names, listing the valid ones', () => {
    expect(() => resolveModes(['nogil', 'turbo'], [])).toThrow(
      "unknown mode 'turbo'; valid modes are gil, nogil, nogil-forced, ft-gil",
    );
    expect(() => resolveModes([], [])).toThrow(/no mode given/);
  });

  it('resolves each mode once when a name repeats', () => {
    const runtimes = [runtime('3.13.5', false, 'cache')];
    expect(ids(resolveModes(['gil', 'gil'], runtimes))).toEqual(['cpython-3.13.5/gil']);
  });

  it("picks the cache's provisioned 3.13 pair on this machine", async () => {
    const { version } = await provisionedCpython();
    // By version: the cache may hold other releases too (cpython@3.13.15), and the newest is the default pick.
    const modes = resolveModes(['gil', 'nogil', 'ft-gil'], await discoverRuntimes(), { runtime: version });
    expect(ids(modes)).toEqual([`cpython-${version}/gil`, `cpython-${version}t/nogil`, `cpython-${version}t/ft-gil`]);
    expect(modes[0]!.runtime.executable).toContain(`/gilbench/cpython/${version}-`);
    // By runtime id: the same fast pair.
    const byId = resolveModes(['gil', 'nogil'], await discoverRuntimes(), { runtime: `cpython-${version}t` });
    expect(ids(byId)).toEqual([`cpython-${version}/gil`, `cpython-${version}t/nogil`]);
    expect(byId.map((m) => m.runtime.buildKind)).toEqual(['fast', 'fast']);
  });
});

describe('compareVersions', () => {
  it('orders numerically, final releases above their pre-releases', () => {
    const sorted = ['3.9.18', '3.13.0rc2', '3.13.0', '3.10.1', '3.13.0b1', '3.13.5'].sort(compareVersions);
    expect(sorted).toEqual(['3.9.18', '3.10.1', '3.13.0b1', '3.13.0rc2', '3.13.0', '3.13.5']);
  });
});

describe('choosing runtimes (--runtime, a job’s runtime)', () => {
  const installed = [
    runtime('3.13.5', false, 'cache'),
    runtime('3.13.5', true, 'cache'),
    runtime('3.13.15', false, 'cache'),
    runtime('3.13.15', true, 'cache'),
    runtime('3.13.5', false, 'cache', 'release'),
    runtime('3.13.5', true, 'cache', 'release'),
    runtime('3.14.0', false, 'path'), // no free-threaded partner
  ];

  it('picks by version, by runtime id (version and build kind) or the newest that serves every mode', () => {
    const pick = (selector: string, modes = ['gil', 'nogil']) =>
      ids(resolveModes(modes, installed, { runtime: selector }));
    expect(pick('3.13.15')).toEqual(['cpython-3.13.15/gil', 'cpython-3.13.15t/nogil']);
    expect(pick('3.13.5')).toEqual(['cpython-3.13.5/gil', 'cpython-3.13.5t/nogil']);
    expect(pick('cpython-3.13.5t-release')).toEqual(['cpython-3.13.5-release/gil', 'cpython-3.13.5t-release/nogil']);
    expect(pick('cpython-3.13.15t')).toEqual(['cpython-3.13.15/gil', 'cpython-3.13.15t/nogil']);
    // 3.14.0 has no free-threaded build: the newest pair is 3.13.15; alone, gil may take 3.14.0.
    expect(pick('newest')).toEqual(['cpython-3.13.15/gil', 'cpython-3.13.15t/nogil']);
    expect(pick('newest', ['gil'])).toEqual(['cpython-3.14.0/gil']);
  });

  it('pairs builds of one kind and takes a release build only when asked', () => {
    // Without a selector: the fast pair of the newest version.
    expect(ids(resolveModes(['gil', 'nogil'], installed))).toEqual(['cpython-3.13.15/gil', 'cpython-3.13.15t/nogil']);
    const only5 = installed.filter((r) => r.version === '3.13.5');
    expect(ids(resolveModes(['nogil', 'gil'], only5))).toEqual(['cpython-3.13.5t/nogil', 'cpython-3.13.5/gil']);
  });

  it('says what is missing and how to get it', () => {
    expect(() => resolveModes(['nogil'], installed, { runtime: '3.13.99' })).toThrow(
      "no free-threaded CPython 3.13.99 found for mode 'nogil'; run `gilbench runtimes install cpython@3.13.99` or pass --python /path/to/python3.13t",
    );
    expect(() => parseRuntimeSelector('latest')).toThrow(
      '--runtime latest is not a runtime selector; pass a version (3.13.15), a runtime id (cpython-3.13.15t) or newest',
    );
    expect(parseRuntimeSelector('3.14.0rc1')).toEqual({ version: '3.14.0rc1' });
  });
});
