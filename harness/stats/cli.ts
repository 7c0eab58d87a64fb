/**
 * `gilbench compare FILE`: compare the modes of one run document.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { z } from 'zod';
import { UsageError } from '../errors.ts';
import { RUN_SCHEMA, RunDocument } from '../schema.ts';
import { formatRunComparison, formatRunComparisonMarkdown } from './report.ts';
import { BaseModeError, compareRun } from './run-comparison.ts';

const WHAT_TO_DO = 'pass the path of a run document written by `gilbench run`';

/**
 * Read and validate a run document; every way it can be wrong is a
 * `UsageError` with a one-line reason.
 * @example const doc = await loadRunDocument('runs/2025-01-01.json');
 */
export async function loadRunDocument(file: string): Promise<RunDocument> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (code ?? String(err));
    throw new UsageError(`cannot read ${file}: ${why}; ${WHAT_TO_DO}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file} is not JSON (${oneLine((err as Error).message)}); ${WHAT_TO_DO}`);
  }
  const parsed = RunDocument.safeParse(json);
  if (!parsed.success) {
    // The first issue is enough to act on; a long list on one line helps nobody.
    const first = z.prettifyError(new z.ZodError(parsed.error.issues.slice(0, 1)));
    throw new UsageError(
      `${file} is not a valid ${RUN_SCHEMA} document: ${oneLine(first.replace(/^✖\s*/, ''))}; ${WHAT_TO_DO}`,
    );
  }
  return parsed.data;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/**
 * Add `gilbench compare FILE [--base MODE] [--json | --format text|json|markdown] [--all]`.
 * @example registerCompareCommand(program); // gilbench compare run.json --base gil
 */
export function registerCompareCommand(program: Command): void {
  program
    .command('compare')
    .description('compare the modes of one run: time ratios with 95% CIs, significance, geometric means per suite')
    .argument('<file>', 'run document (JSON) written by `gilbench run`')
    .option(
      '--base <mode>',
      'mode to compare against: a mode name (gil, nogil, nogil-forced, ft-gil) or a mode id (default: gil)',
    )
    .option('--json', 'print the comparison as JSON')
    .option('--format <format>', 'text (default), json, or markdown (tables for a pull-request comment)')
    .option('--all', 'also list the cases that could not be compared, with the reason')
    .action(async (file: string, options: { base?: string; json?: boolean; format?: string; all?: boolean }) => {
      const format = options.format ?? (options.json ? 'json' : 'text');
      if (!['text', 'json', 'markdown'].includes(format))
        throw new UsageError(`--format must be text, json or markdown, got ${JSON.stringify(format)}`);
      if (options.json && format !== 'json')
        throw new UsageError('--json and --format are two ways to say one thing; pass one');
      const doc = await loadRunDocument(file);
      let comparison: ReturnType<typeof compareRun>;
      try {
        comparison = compareRun(doc, { base: options.base });
      } catch (err) {
        if (err instanceof BaseModeError)
          throw new UsageError(`${err.message}; pass --base with one of those mode ids`);
        throw err;
      }
      process.stdout.write(
        format === 'json'
          ? `${JSON.stringify(comparison, null, 2)}\n`
          : format === 'markdown'
            ? formatRunComparisonMarkdown(comparison, { all: options.all })
            : formatRunComparison(comparison, { all: options.all }),
      );
    });
}
