/**
 * A run comparison as text tables, one per suite and other mode, in the
 * spirit of pyperf's compare_to, except that rows which are not significant
 * are shown (and marked) instead of hidden.
 */

import { formatNs, formatPercent, formatPValue, formatRatio, formatRatioCi, MISSING } from '../format/index.ts';
import type { Stats } from '../schema.ts';
import type { CaseComparison, Comparison, GeometricMean, ModeSuiteComparison, RunComparison } from './types.ts';

export interface ReportOptions {
  /** Also list cases that could not be compared (errors, missing results); default: only count them. */
  all?: boolean;
}

/**
 * Render a `RunComparison` as plain text.
 * @example
 * process.stdout.write(formatRunComparison(compareRun(doc), { all: false }));
 */
export function formatRunComparison(comparison: RunComparison, opts: ReportOptions = {}): string {
  const lines: string[] = [`Run ${comparison.runId} (profile ${comparison.profile}), base: ${comparison.base.id}`];
  if (comparison.others.length === 0) lines.push('', 'The run has only one mode: nothing to compare.');
  for (const suite of comparison.suites) {
    for (const byMode of suite.byMode) {
      lines.push('', `${suite.suite}: ${byMode.other.id} vs ${comparison.base.id}`, '');
      lines.push(...formatTable(comparison.base.id, byMode, opts));
    }
  }
  if (comparison.problems.length > 0) {
    lines.push('', 'Problems:');
    for (const problem of comparison.problems) lines.push(`  ${problem.kind}: ${problem.message}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Render a `RunComparison` as Markdown (GitHub-flavoured tables, one per suite
 * and other mode), for a pull-request comment.
 * @example
 * process.stdout.write(formatRunComparisonMarkdown(compareRun(doc)));
 */
export function formatRunComparisonMarkdown(comparison: RunComparison, opts: ReportOptions = {}): string {
  const lines: string[] = [
    `**gilbench run \`${comparison.runId}\`** (profile ${comparison.profile}), base: \`${comparison.base.id}\`. Ratios are other / base time: above 1× = slower.`,
  ];
  if (comparison.others.length === 0) lines.push('', 'The run has only one mode: nothing to compare.');
  for (const suite of comparison.suites) {
    for (const byMode of suite.byMode) {
      lines.push('', `### ${suite.suite}: \`${byMode.other.id}\` vs \`${comparison.base.id}\``, '');
      const measured = (row: CaseComparison) => row.comparison.base !== null && row.comparison.other !== null;
      const shown = opts.all ? byMode.rows : byMode.rows.filter(measured);
      const table = [
        ['Benchmark', comparison.base.id, byMode.other.id, 'Ratio [95% CI]', 'Change', 'Significance'],
        ...shown.map(caseRow),
        geometricMeanRow(byMode.geometricMean).map((cell, i) => (i === 0 ? `**${cell}**` : cell)),
      ];
      const cell = (text: string) => text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|');
      const row = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
      lines.push(row(table[0]!), `|${table[0]!.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`);
      for (const r of table.slice(1)) lines.push(row(r));
      const hidden = byMode.rows.length - shown.length;
      if (hidden > 0) lines.push('', `${hidden} case${hidden === 1 ? '' : 's'} not compared (\`--all\` lists them).`);
    }
  }
  if (comparison.problems.length > 0) {
    lines.push('', '**Problems:**', '');
    for (const problem of comparison.problems) lines.push(`- ${problem.kind}: ${problem.message}`);
  }
  return `${lines.join('\n')}\n`;
}

function formatTable(baseId: string, byMode: ModeSuiteComparison, opts: ReportOptions): string[] {
  const measured = (row: CaseComparison) => row.comparison.base !== null && row.comparison.other !== null;
  const shown = opts.all ? byMode.rows : byMode.rows.filter(measured);
  const hidden = byMode.rows.length - shown.length;
  const table: string[][] = [['Benchmark', baseId, byMode.other.id, 'Ratio [95% CI]', 'Change', 'Significance']];
  for (const row of shown) table.push(caseRow(row));
  table.push(geometricMeanRow(byMode.geometricMean));
  // Per category beside the overall figure: the overall one depends on the suite's mix.
  for (const c of byMode.categories ?? []) {
    const row = geometricMeanRow(c.geometricMean);
    row[0] = `  ${c.category}`;
    table.push(row);
  }
  const lines = alignColumns(table);
  if (hidden > 0) {
    lines.push(`(${hidden} case${hidden === 1 ? '' : 's'} not compared; --all lists them with the reason)`);
  }
  return lines;
}

function caseRow(row: CaseComparison): string[] {
  const c = row.comparison;
  const key = Object.keys(row.params).length > 0 ? row.caseId.slice(row.suite.length + 1) : row.benchmark;
  return [key, valueCell(c.base), valueCell(c.other), ...ratioCells(c)];
}

function valueCell(stats: Stats | null): string {
  return stats ? `${formatNs(stats.median)} ±${formatPercent(stats.margin)}` : '-';
}

function ratioCells(c: Comparison): string[] {
  if (c.ratio === null || c.ciLow === null || c.ciHigh === null) return [MISSING, '', c.reason ?? ''];
  const p = c.pValue === null ? '' : ` (${formatPValue(c.pValue)})`;
  return [
    formatRatioCi(c.ratio, c.ciLow, c.ciHigh),
    direction(c.ratio),
    c.significant ? `significant${p}` : `not significant${p}`,
  ];
}

function geometricMeanRow(gm: GeometricMean | null): string[] {
  if (!gm) return ['Geometric mean', '', '', MISSING, '', 'no case has a ratio'];
  const excludesOne = gm.ciLow > 1 || gm.ciHigh < 1;
  const count = `${gm.count} case${gm.count === 1 ? '' : 's'}`;
  const spread =
    gm.count > 1 ? `, spread ${formatRatio(gm.geometricSd)} (${formatRatio(gm.min)} to ${formatRatio(gm.max)})` : '';
  return [
    'Geometric mean',
    '',
    '',
    formatRatioCi(gm.value, gm.ciLow, gm.ciHigh),
    direction(gm.value),
    `${excludesOne ? 'significant' : 'not significant'}; ${count}${spread}`,
  ];
}

function direction(ratio: number): string {
  // Compare what is displayed, so "1.00×" never reads "slower".
  const shown = formatRatio(ratio);
  if (shown === formatRatio(1)) return 'same';
  return ratio > 1 ? 'slower' : 'faster';
}

function alignColumns(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  const render = (row: string[]) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd();
  const [header, ...body] = rows;
  return [render(header!), render(widths.map((w) => '-'.repeat(w))), ...body.map(render)];
}
