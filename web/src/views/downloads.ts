/**
 * A view's data to download, from its model (what the page shows, not the
 * DOM): JSON is the model itself; CSV lists every table of the model (every
 * array of records), one line per record, prefixed with the table's path in
 * the model, with nested `cells` spread into columns by their text.
 *
 * @example
 * modelCsv({ rows: [{ mode: 'gil', cells: [{ text: '1×' }] }] })
 * // 'table,mode,cell 1\nrows,gil,1×\n'
 */

type Row = Record<string, string>;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function scalar(v: unknown): string | null {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

/** One record's columns: its scalars, and the text of its `cells` (or `points`' y) in order. */
function flatten(record: Record<string, unknown>): Row {
  const row: Row = {};
  for (const [key, value] of Object.entries(record)) {
    const s = scalar(value);
    if (s !== null) row[key] = s;
    else if (key === 'cells' && Array.isArray(value))
      value.forEach((cell, i) => {
        const text = isRecord(cell) ? scalar(cell.text) : scalar(cell);
        row[`cell ${i + 1}`] = text ?? '';
      });
  }
  return row;
}

/** Every array of records in the model, by its path (`rows`, `charts.0.lines`, …). */
function tables(value: unknown, path: string, out: Array<{ path: string; rows: Row[] }>): void {
  if (Array.isArray(value)) {
    const records = value.filter(isRecord);
    const rows = records.map(flatten).filter((r) => Object.keys(r).length > 0);
    if (rows.length > 0 && records.length === value.length) out.push({ path, rows });
    records.forEach((r, i) => {
      for (const [k, v] of Object.entries(r))
        if (typeof v === 'object' && v !== null && k !== 'cells') tables(v, `${path}.${i}.${k}`, out);
    });
  } else if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) tables(v, path ? `${path}.${k}` : k, out);
  }
}

/** A CSV field: quoted when it holds a comma, quote or line break. */
export function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function modelCsv(model: unknown): string {
  const found: Array<{ path: string; rows: Row[] }> = [];
  tables(model, '', found);
  const columns = [...new Set(found.flatMap((t) => t.rows.flatMap((r) => Object.keys(r))))];
  const lines = [['table', ...columns]];
  for (const t of found) for (const r of t.rows) lines.push([t.path, ...columns.map((c) => r[c] ?? '')]);
  return `${lines.map((l) => l.map(csvField).join(',')).join('\n')}\n`;
}

export function modelJson(model: unknown): string {
  return `${JSON.stringify(model, null, 1)}\n`;
}
