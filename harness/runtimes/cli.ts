/**
 * `gilbench runtimes list` and `gilbench runtimes install`.
 */
import type { Command } from 'commander';
import { UsageError } from '../errors.ts';
import { discoverRuntimes, type FoundRuntime } from './discover.ts';
import { InstallError, installRuntime } from './install.ts';
import { compareVersions } from './modes.ts';
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

  runtimes
    .command('install')
    .description('build the default and free-threaded CPython from one source into the cache')
    .argument('<spec>', 'what to build: cpython@3.13')
    .option('--source <tarball|dir>', 'CPython source to build (default on Debian: the python3.13 source package)')
    .option('--jobs <n>', 'parallel make jobs (default: usable CPUs)')
    .action(async (spec: string, opts: { source?: string; jobs?: string }) => {
      const jobs = opts.jobs === undefined ? undefined : parseJobs(opts.jobs);
      const display = createProgressDisplay(process.stdout);
      try {
        const result = await installRuntime(spec, { source: opts.source, jobs, onEvent: display.onEvent });
        display.stop();
        const lead = result.alreadyInstalled ? 'already installed' : 'installed';
        for (const v of result.variants) {
          const id = `${v.marker.version}${v.variant === 'freethreaded' ? 't' : ''}`;
          process.stdout.write(`${lead}: cpython-${id} (${v.variant}) ${v.executable}\n`);
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
