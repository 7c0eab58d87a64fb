/**
 * `gilbench run`: measure suites in several modes, print a table, and write
 * the run document with `--json FILE`.
 *
 * @example gilbench run --suite selftest --mode gil,nogil,ft-gil --profile quick --json out.json
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../cli/errors.ts';
import { ModeName, type Result, type RunDocument } from '../schema.ts';
import { compareRun, formatNs, formatRunComparison, formatScalingTable, scalingCurves } from '../stats/index.ts';
import { type ProgressEvent, runBenchmarks } from './runner.ts';

/**
 * Commander option parser: splits `a,b` and repeated flags into one list.
 * @example program.option('--suite <names>', 'suites', collect) // --suite a,b --suite c -> ['a', 'b', 'c']
 */
export function collect(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ];
}

export function parseModes(values: string[]): ModeName[] {
  return values.map((v) => {
    const parsed = ModeName.safeParse(v);
    if (!parsed.success) throw new UsageError(`unknown mode '${v}'; use ${ModeName.options.join(', ')}`);
    return parsed.data;
  });
}

export function parseThreads(values: string[] | undefined): number[] | undefined {
  if (!values?.length) return undefined;
  return values.map((v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 1024)
      throw new UsageError(`--threads takes whole numbers from 1 to 1024, not '${v}'`);
    return n;
  });
}

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
          ? `${formatNs(r.stats.median)} ±${(r.stats.margin * 100).toFixed(1)}%`
          : '';
    const flags = r.warnings.map((w) => w.code).join(',');
    const line = `[${event.index + 1}/${event.total} ${elapsed}s] ${event.caseId} ${event.mode}: ${what}${flags ? ` (${flags})` : ''}`;
    stream.write(stream.isTTY ? `\r\x1b[K${line}\n` : `${line}\n`);
  };
}

/** The per-mode table of a run: one row per case, one column per mode. */
export function formatRunTable(doc: RunDocument): string {
  const modes = doc.modes.map((m) => m.id);
  const rows = new Map<string, Map<string, Result>>();
  for (const r of doc.results) {
    const key = `${r.suite}/${r.benchmark}${
      Object.keys(r.params).length
        ? `[${Object.entries(r.params)
            .map(([k, v]) => `${k}=${v}`)
            .join(',')}]`
        : ''
    }`;
    if (!rows.has(key)) rows.set(key, new Map());
    rows.get(key)!.set(r.mode, r);
  }
  const cell = (r: Result | undefined): string => {
    if (!r) return '-';
    if (r.status === 'error') return 'error';
    if (!r.stats) return '-';
    const mark = r.status === 'invalid' ? ' INVALID' : r.warnings.some((w) => w.code === 'unstable') ? ' ?' : '';
    return `${formatNs(r.stats.median)} ±${(r.stats.margin * 100).toFixed(1)}%${mark}`;
  };
  const table = [['case (ns per op, median ± 95% CI)', ...modes]];
  for (const [key, byMode] of rows) table.push([key, ...modes.map((m) => cell(byMode.get(m)))]);
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  return table
    .map((row) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '))
    .join('\n');
}

/** Errors and warnings worth a line each after the table. */
export function formatProblems(doc: RunDocument): string {
  const lines: string[] = [];
  for (const r of doc.results) {
    const id = `${r.suite}/${r.benchmark} ${JSON.stringify(r.params)} ${r.mode}`;
    if (r.error)
      lines.push(
        `error: ${id}: ${r.error.message}${r.error.stderrTail ? `\n  ${r.error.stderrTail.trim().split('\n').slice(-3).join('\n  ')}` : ''}`,
      );
    for (const w of r.warnings) if (w.code !== 'unstable') lines.push(`warning: ${id}: ${w.message}`);
  }
  const unstable = doc.results.filter((r) => r.warnings.some((w) => w.code === 'unstable')).length;
  if (unstable)
    lines.push(`warning: ${unstable} result(s) unstable (marked ?): close other programs or use --profile rigorous`);
  return lines.join('\n');
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
