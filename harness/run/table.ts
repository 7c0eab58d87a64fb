/**
 * A run document as text for a terminal: the per-mode table and the lines
 * about errors and warnings after it. Printed by `gilbench run` and by the
 * agent after each run.
 *
 * @example console.log(formatRunTable(doc)); // case (ns per op, median ± 95% CI)  cpython-3.13.5/gil ...
 */
import { caseId } from '../case-key.ts';
import { formatNs, formatPercent } from '../format/index.ts';
import type { Result, RunDocument } from '../schema.ts';

/** The per-mode table of a run: one row per case, one column per mode. */
export function formatRunTable(doc: RunDocument): string {
  const modes = doc.modes.map((m) => m.id);
  const rows = new Map<string, Map<string, Result>>();
  for (const r of doc.results) {
    const key = caseId(r.suite, r.benchmark, r.params);
    if (!rows.has(key)) rows.set(key, new Map());
    rows.get(key)!.set(r.mode, r);
  }
  const cell = (r: Result | undefined): string => {
    if (!r) return '-';
    if (r.status === 'error') return 'error';
    if (!r.stats) return '-';
    const mark = r.status === 'invalid' ? ' INVALID' : r.warnings.some((w) => w.code === 'unstable') ? ' ?' : '';
    return `${formatNs(r.stats.median)} ±${formatPercent(r.stats.margin, 1)}${mark}`;
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
