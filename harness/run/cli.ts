/**
 * `gilbench run`: measure suites in several modes, print a table, and write
 * the run document with `--json FILE`.
 *
 * @example gilbench run --suite selftest --mode gil,nogil,ft-gil --profile quick --json out.json
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { formatNs, formatPercent } from '../format/index.ts';
import { compareRun, formatRunComparison, formatScalingTable, scalingCurves } from '../stats/index.ts';
import { collect, parseModes, parseThreads } from './options.ts';
import { type ProgressEvent, runBenchmarks } from './runner.ts';
import { formatProblems, formatRunTable } from './table.ts';

/** A progress reporter: one rewritten line on a terminal, one line per case otherwise. */
export function progressPrinter(stream: NodeJS.WriteStream = process.stderr): (event: ProgressEvent) => void {
  const started = performance.now();
  let modes: string[] = [];
  return (event) => {
    if (event.type === 'planned') {
      modes = event.modes.map((m) => m.id);
      stream.write(
        `gilbench: ${event.total} measurements (cases x ${event.modes.length} modes: ${event.modes.map((m) => m.id).join(', ')})\n`,
      );
      return;
    }
    const elapsed = ((performance.now() - started) / 1000).toFixed(0);
    if (event.type === 'case-start') {
      // The modes of a case start together (interleaved), so the line names the case once.
      if (stream.isTTY && event.mode === modes[0])
        stream.write(`\r\x1b[K[${event.index + 1}/${event.total} ${elapsed}s] ${event.caseId} (${modes.length} modes)`);
      return;
    }
    const r = event.result;
    const what =
      r.status === 'error'
        ? `ERROR ${r.error?.message ?? ''}`
        : r.stats
          ? `${formatNs(r.stats.median)} ±${formatPercent(r.stats.margin, 1)}`
          : '';
    const flags = r.warnings.map((w) => w.code).join(',');
    const line = `[${event.index + 1}/${event.total} ${elapsed}s] ${event.caseId} ${event.mode}: ${what}${flags ? ` (${flags})` : ''}`;
    stream.write(stream.isTTY ? `\r\x1b[K${line}\n` : `${line}\n`);
  };
}

export function registerRunCommands(program: Command): void {
  program
    .command('run')
    .description('measure suites in several modes and print the results')
    .requiredOption('-s, --suite <names>', 'suite names or paths to .py files (comma-separated or repeated)', collect)
    .option('-m, --mode <modes>', 'modes: gil, nogil, nogil-forced, ft-gil (comma-separated)', collect)
    .option('--python <path>', 'an interpreter to use (repeatable; also GILBENCH_PYTHON)', collect)
    .option(
      '--runtime <selector>',
      'which installed runtime: a version (3.13.15), a runtime id (cpython-3.13.15t, cpython-3.13.5-release) or newest',
    )
    .option('-p, --profile <name>', 'quick, default or rigorous', 'default')
    .option('--json <file>', 'write the run document to this file')
    .option('--filter <regex>', 'only cases whose suite/benchmark[params] matches')
    .option('--threads <counts>', 'thread counts for threaded benchmarks (default 1..usable cores)', collect)
    .option('--oversubscribe', 'also run up to 2x the usable cores')
    .option('--pin', 'pin thread i to usable core i')
    .action(async (opts) => {
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        const doc = await runBenchmarks({
          suites: opts.suite,
          modes: parseModes(opts.mode ?? ['gil', 'nogil']),
          profile: opts.profile,
          pythons: opts.python,
          runtime: opts.runtime,
          filter: opts.filter,
          threads: parseThreads(opts.threads),
          oversubscribe: Boolean(opts.oversubscribe),
          pin: Boolean(opts.pin),
          signal: controller.signal,
          onProgress: progressPrinter(),
        });
        if (opts.json) writeFileSync(opts.json, `${JSON.stringify(doc, null, 1)}\n`);
        console.log(`\n${formatRunTable(doc)}`);
        if (doc.modes.length > 1) console.log(`\n${formatRunComparison(compareRun(doc))}`);
        const scaling = formatScalingTable(scalingCurves(doc));
        if (scaling) console.log(`\n${scaling}`);
        const problems = formatProblems(doc);
        if (problems) console.log(`\n${problems}`);
        if (opts.json) console.log(`\nrun ${doc.id} written to ${opts.json}`);
        if (doc.results.some((r) => r.status === 'error')) process.exitCode = 1;
      } catch (err) {
        if (controller.signal.aborted) {
          process.stderr.write('\ngilbench: interrupted; nothing was written\n');
          process.exitCode = 130;
          return;
        }
        throw err;
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}
