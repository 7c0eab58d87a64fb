/**
 * `gilbench runtimes list` and `gilbench runtimes install`.
 */

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../errors.ts';
import { BuildKind, defaultCacheDir } from './cache.ts';
import { type DebianRelease, isServed, listDebianReleases, RELEASE_SUITES } from './debian-releases.ts';
import { isDebianFamily, updatePrivateApt } from './debian-source.ts';
import { discoverRuntimes, type FoundRuntime } from './discover.ts';
import { acquireLock, InstallError, installRuntime } from './install.ts';
import { compareVersions } from './modes.ts';
import { runtimeId } from './probe.ts';
import { createProgressDisplay } from './progress.ts';

const ORIGIN_ORDER = ['explicit', 'cache', 'uv', 'pyenv', 'path'];

/**
 * Add the `runtimes` command group to the gilbench program.
 * @example registerRuntimesCommands(new Command('gilbench'));
 */
export function registerRuntimesCommands(program: Command): void {
  const runtimes = program.command('runtimes').description('find, describe and build Python runtimes');

  runtimes
    .command('list')
    .description('list the interpreters gilbench finds (explicit, cache, uv, pyenv, PATH)')
    .option('--json', 'print the runtimes as a JSON array')
    .option('--python <path...>', 'also probe these interpreters (default: $GILBENCH_PYTHON, colon-separated)')
    .action(async (opts: { json?: boolean; python?: string[] }) => {
      const found = sortForDisplay(await discoverRuntimes({ pythons: opts.python }));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(found, null, 2)}\n`);
        return;
      }
      process.stdout.write(formatRuntimeTable(found));
    });

  registerAvailable(runtimes);

  runtimes
    .command('install')
    .description('build the default and free-threaded CPython from one source into the cache')
    .argument(
      '<spec>',
      "what to build: cpython@3.13 (trixie's release), cpython@3.13.15 (an exact release), or cpython with --source",
    )
    .option(
      '--source <tarball|dir>',
      'CPython (3.13 or later) source to build: a tarball, a folder or a git checkout (default on Debian: the release from the Debian suites)',
    )
    .option(
      '--build <kind>',
      'fast (default: minutes) or release (PGO + LTO, as distributions ship: much longer)',
      'fast',
    )
    .option('--jobs <n>', 'parallel make jobs (default: usable CPUs)')
    .action(async (spec: string, opts: { source?: string; jobs?: string; build: string }) => {
      const jobs = opts.jobs === undefined ? undefined : parseJobs(opts.jobs);
      const build = BuildKind.safeParse(opts.build);
      if (!build.success)
        throw new UsageError(`--build ${opts.build} is not a build kind; pass --build fast or --build release`);
      const display = createProgressDisplay(process.stdout);
      try {
        const result = await installRuntime(spec, {
          source: opts.source,
          jobs,
          build: build.data,
          onEvent: display.onEvent,
        });
        display.stop();
        const lead = result.alreadyInstalled ? 'already installed' : 'installed';
        for (const v of result.variants) {
          const id = runtimeId('cpython', v.marker.version, v.variant === 'freethreaded', v.marker.buildKind);
          process.stdout.write(`${lead}: ${id} (${v.variant}) ${v.executable}\n`);
        }
        if (result.logFile) process.stdout.write(`build log: ${result.logFile}\n`);
      } catch (err) {
        display.stop();
        if (err instanceof InstallError) {
          // A failed build is not a usage error: one line, exit 1, the log says the rest.
          process.stderr.write(`gilbench: ${err.message}\n`);
          process.exitCode = 1;
          return;
        }
        throw err;
      }
    });
}

/** One line of `gilbench runtimes available`. */
export interface AvailableRelease {
  version: string;
  suite: string;
  debianVersion: string;
  /** Whether this system's mirror serves its source (so `runtimes install cpython@<version>` works here). */
  downloadable: boolean;
  /** Build kinds of it already in the cache. */
  installed: BuildKind[];
}

/**
 * Add `gilbench runtimes available`: the CPython releases Debian's suites list, and which of them can be
 * downloaded here.
 */
function registerAvailable(runtimes: Command): void {
  runtimes
    .command('available')
    .description(`list the CPython releases that can be installed here (Debian ${RELEASE_SUITES.join(', ')})`)
    .option('--json', 'print them as a JSON array')
    .action(async (opts: { json?: boolean }) => {
      if (!isDebianFamily()) {
        throw new UsageError('no Debian package archive on this system; build any CPython with --source TARBALL|DIR');
      }
      const cacheDir = defaultCacheDir();
      await mkdir(path.join(cacheDir, 'locks'), { recursive: true });
      const release = await acquireLock(path.join(cacheDir, 'locks', 'apt.lock'), 10 * 60 * 1000);
      let releases: DebianRelease[];
      let mirror: string;
      try {
        const apt = await updatePrivateApt({ aptDir: path.join(cacheDir, 'apt'), suites: RELEASE_SUITES });
        mirror = apt.mirror;
        releases = await listDebianReleases(apt);
      } finally {
        await release();
      }
      const installed = await discoverRuntimes({ pythons: [] });
      const rows: AvailableRelease[] = await Promise.all(
        releases.map(async (r) => ({
          version: r.upstreamVersion,
          suite: r.suite,
          debianVersion: r.debianVersion,
          downloadable: await isServed(mirror, r),
          installed: [
            ...new Set(
              installed
                .filter((i) => i.origin === 'cache' && i.version === r.upstreamVersion)
                .map((i) => i.buildKind ?? 'fast'),
            ),
          ],
        })),
      );
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      process.stdout.write(formatAvailable(rows));
    });
}

/** The `runtimes available` table. */
export function formatAvailable(rows: AvailableRelease[]): string {
  const table = [
    ['version', 'suite', 'debian version', 'downloadable here', 'installed'],
    ...rows.map((r) => [
      r.version,
      r.suite,
      r.debianVersion,
      r.downloadable ? 'yes' : 'no (use --source)',
      r.installed.join(', ') || '-',
    ]),
  ];
  const widths = table[0]!.map((_, col) => Math.max(...table.map((row) => row[col]!.length)));
  const lines = table.map((row) =>
    row
      .map((cell, col) => cell.padEnd(widths[col]!))
      .join('  ')
      .trimEnd(),
  );
  lines.push('', 'install one with `gilbench runtimes install cpython@<version> [--build fast|release]`');
  return `${lines.join('\n')}\n`;
}

function parseJobs(text: string): number {
  const jobs = Number(text);
  if (!/^\d+$/.test(text) || jobs < 1)
    throw new UsageError(`--jobs ${text} is not a whole number >= 1; pass e.g. --jobs 2`);
  return jobs;
}

function sortForDisplay(found: FoundRuntime[]): FoundRuntime[] {
  return [...found].sort(
    (a, b) =>
      ORIGIN_ORDER.indexOf(a.origin) - ORIGIN_ORDER.indexOf(b.origin) ||
      compareVersions(b.version, a.version) ||
      Number(b.freeThreaded) - Number(a.freeThreaded),
  );
}

/**
 * The `runtimes list` table: id, free-threaded, GIL by default, version, origin, executable.
 * @example process.stdout.write(formatRuntimeTable(await discoverRuntimes()));
 */
export function formatRuntimeTable(found: FoundRuntime[]): string {
  if (found.length === 0) {
    return 'no Python interpreters found; run `gilbench runtimes install cpython@3.13` or pass --python PATH\n';
  }
  const yesNo = (b: boolean) => (b ? 'yes' : 'no');
  const rows = [
    ['id', 'free-threaded', 'GIL by default', 'version', 'origin', 'executable'],
    ...found.map((r) => [r.id, yesNo(r.freeThreaded), yesNo(r.gilEnabledByDefault), r.version, r.origin, r.executable]),
  ];
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, col) => (col === row.length - 1 ? cell : cell.padEnd(widths[col]!)))
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}
