/**
 * Tables: a header of sort buttons, cells built with `h()` (text only), an
 * optional footer row (the geometric mean), scrolling sideways on a narrow
 * screen.
 *
 * @example
 * sortableTable([{ key: 'name', label: 'benchmark', value: (r) => r.name, cell: (r) => r.name }], rows, { sort: 'name' })
 */
import { type Child, h, replaceChildren } from './dom.ts';

export interface Column<R> {
  key: string;
  label: string;
  /** The value sorted on (null sorts last). */
  value?: (row: R) => string | number | null;
  cell: (row: R) => Child;
  numeric?: boolean;
  title?: string;
}

export interface TableOptions<R> {
  sort?: string;
  descending?: boolean;
  /** Called after the user sorts (to keep the order in the URL). */
  onSort?: (key: string, descending: boolean) => void;
  footer?: Child[];
  caption?: string;
  rowData?: (row: R) => Record<string, string | number | undefined>;
  testId?: string;
}

function compareValues(a: string | number | null, b: string | number | null): number {
  if (a === null && b === null) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

/** A table whose headers sort it; the order survives re-rendering through `onSort`. */
export function sortableTable<R>(columns: Column<R>[], rows: readonly R[], opts: TableOptions<R> = {}): HTMLElement {
  let sortKey = opts.sort;
  let descending = opts.descending ?? false;
  const tbody = h('tbody');
  const headCells = columns.map((col) => {
    const th = h('th', { className: col.numeric ? 'num' : '', attrs: { scope: 'col', title: col.title } });
    if (col.value) {
      th.appendChild(
        h('button', { className: 'sort', attrs: { type: 'button' }, on: { click: () => sortBy(col.key) } }, col.label),
      );
    } else th.textContent = col.label;
    return th;
  });

  const render = () => {
    const col = columns.find((c) => c.key === sortKey);
    const sorted = [...rows];
    if (col?.value) {
      const value = col.value;
      sorted.sort((a, b) => {
        const va = value(a);
        const vb = value(b);
        // Missing values stay at the bottom in both directions.
        if (va === null || vb === null) return compareValues(va, vb);
        return descending ? -compareValues(va, vb) : compareValues(va, vb);
      });
    }
    headCells.forEach((th, i) => {
      const key = columns[i]!.key;
      if (key === sortKey) th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
      else th.removeAttribute('aria-sort');
    });
    replaceChildren(
      tbody,
      sorted.map((row) =>
        h(
          'tr',
          { data: opts.rowData?.(row) },
          columns.map((c) => h('td', { className: c.numeric ? 'num' : 'name' }, c.cell(row))),
        ),
      ),
    );
  };
  const sortBy = (key: string) => {
    descending = key === sortKey ? !descending : false;
    sortKey = key;
    render();
    opts.onSort?.(key, descending);
  };
  render();

  const table = h(
    'table',
    { data: { table: opts.testId } },
    opts.caption ? h('caption', { className: 'muted' }, opts.caption) : null,
    h('thead', {}, h('tr', {}, headCells)),
    tbody,
    opts.footer ? h('tfoot', {}, h('tr', { className: 'total' }, opts.footer)) : null,
  );
  return h('div', { className: 'table-wrap' }, table);
}

/** A plain table from header labels and rows of cells. */
export function simpleTable(
  headers: string[],
  rows: Child[][],
  opts: { numeric?: number[]; testId?: string } = {},
): HTMLElement {
  const numeric = new Set(opts.numeric ?? []);
  return h(
    'div',
    { className: 'table-wrap' },
    h(
      'table',
      { data: { table: opts.testId } },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          headers.map((label, i) =>
            h('th', { className: numeric.has(i) ? 'num' : '', attrs: { scope: 'col' } }, label),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((cells) =>
          h(
            'tr',
            {},
            cells.map((c, i) => h('td', { className: numeric.has(i) ? 'num' : 'name' }, c)),
          ),
        ),
      ),
    ),
  );
}
