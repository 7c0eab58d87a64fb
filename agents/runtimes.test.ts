/**
 * The --install-runtimes decision. A real build takes ten minutes, so the
 * installer here "installs" by making gilbench's cached interpreters
 * discoverable (as a finished build does); discovery, probing and mode
 * resolution are the real ones.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../harness/errors.ts';
import { type DiscoverOptions, discoverRuntimes } from '../harness/runtimes/discover.ts';
import { provisionedCpython } from '../harness/test-support/cpython.ts';
import { installSpecFor, resolveJobRuntimes } from './runtimes.ts';

let cached: string[];
beforeAll(async () => {
  const found = await discoverRuntimes({ origins: ['cache'] });
  cached = found.map((r) => r.executable);
  expect(found.some((r) => r.freeThreaded)).toBe(true); // `npm test` installs cpython@3.13 first
});

/** A discovery that finds nothing until `pythons` is filled. */
const empty = (): DiscoverOptions & { pythons: string[] } => ({ origins: [], pythons: [], env: {} });

describe('resolveJobRuntimes', () => {
  it("fails with the resolver's message when a runtime is missing and building is not allowed", async () => {
    await expect(
      resolveJobRuntimes(['gil', 'nogil'], { discover: empty(), install: null, log: () => {} }),
    ).rejects.toThrow(UsageError);
  });

  it('builds once when a runtime is missing and building is allowed, then resolves', async () => {
    const discover = empty();
    const installs: string[] = [];
    const logged: string[] = [];
    const modes = await resolveJobRuntimes(['gil', 'nogil', 'ft-gil'], {
      discover,
      install: async (spec) => {
        installs.push(spec);
        discover.pythons.push(...cached);
      },
      log: (m) => logged.push(m),
    });
    expect(installs).toEqual(['cpython@3.13']);
    expect(modes.map((m) => m.mode)).toEqual(['gil', 'nogil', 'ft-gil']);
    expect(logged.join('\n')).toContain('--install-runtimes');
  });

  it('does not build what is there already', async () => {
    const installs: string[] = [];
    const modes = await resolveJobRuntimes(['nogil'], {
      discover: { ...empty(), pythons: cached },
      install: async (spec) => {
        installs.push(spec);
      },
      log: () => {},
    });
    expect(installs).toEqual([]);
    expect(modes[0]?.runtime.freeThreaded).toBe(true);
  });

  it('passes on an error of the build itself', async () => {
    await expect(
      resolveJobRuntimes(['gil'], {
        discover: empty(),
        install: async () => {
          throw new Error('configure failed');
        },
        log: () => {},
      }),
    ).rejects.toThrow('configure failed');
  });

  it('uses the job’s runtime, and builds that exact release when it is missing', async () => {
    const { version } = await provisionedCpython();
    const discover = empty();
    const installs: string[] = [];
    const modes = await resolveJobRuntimes(['gil', 'nogil'], {
      discover,
      runtime: version,
      install: async (spec, _log, build) => {
        installs.push(`${spec} ${build}`);
        discover.pythons.push(...cached);
      },
      log: () => {},
    });
    expect(installs).toEqual([`cpython@${version} fast`]);
    expect(modes.map((m) => m.runtime.version)).toEqual([version, version]);
  });

  it('names the install spec of a selector', () => {
    expect(installSpecFor('3.13.15')).toEqual({ spec: 'cpython@3.13.15', build: 'fast' });
    expect(installSpecFor('cpython-3.13.5t-release')).toEqual({ spec: 'cpython@3.13.5', build: 'release' });
    expect(installSpecFor('3.14')).toEqual({ spec: 'cpython@3.14', build: 'fast' });
    expect(installSpecFor('newest')).toEqual({ spec: 'cpython@3.13', build: 'fast' });
    expect(installSpecFor(undefined)).toEqual({ spec: 'cpython@3.13', build: 'fast' });
    expect(() => installSpecFor('latest-and-greatest')).toThrow(UsageError);
  });
});
