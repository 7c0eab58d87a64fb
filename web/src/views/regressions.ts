/**
 * Regressions: the detector's changes with filters (status, kind, machine);
 * an admin sets the status and adds a note; each row links to the history
 * at the change.
 *
 * URL state: `machine`, `status`, `kind`.
 */
import { REGRESSION_STATUSES, type Regression, type RegressionStatus } from '../api.ts';
import { type Child, emptyState, h, replaceChildren, select } from '../dom.ts';
import { formatChange, formatNs, formatParams, formatPercent, formatTime } from '../format.ts';
import { type Column, sortableTable } from '../table.ts';
import { lead, modeName, noRunsYet, type ViewContext, viewLink } from './common.ts';

/** The history link of a change: its case, its mode, a window around it, and the change marked. */
export function historyLinkParams(r: Regression): Record<string, string | number> {
  const key = Object.keys(r.params)
    .sort()
    .map((k) => `${k}=${String(r.params[k])}`)
    .join(',');
  return {
    machine: r.machineId,
    case: key ? `${r.suite}/${r.benchmark}[${key}]` : `${r.suite}/${r.benchmark}`,
    modes: r.modeId,
    at: r.startedAt,
  };
}

function adminForm(ctx: ViewContext, r: Regression, onSaved: (updated: Regression) => void): HTMLElement {
  const status = h(
    'select',
    { attrs: { name: 'status', 'aria-label': 'status' } },
    REGRESSION_STATUSES.map((s) => h('option', { attrs: { value: s, selected: s === r.status } }, s)),
  );
  const note = h('textarea', {
    attrs: {
      name: 'note',
      rows: 2,
      maxlength: 2000,
      'aria-label': 'note',
      placeholder: 'note (e.g. the commit that caused it)',
    },
  });
  note.value = r.note;
  const message = h('span', { className: 'muted', attrs: { role: 'status' } });
  const form = h(
    'form',
    {
      className: 'admin-form',
      data: { regressionForm: r.id },
      on: {
        submit: (event) => {
          event.preventDefault();
          message.textContent = 'saving…';
          ctx.api
            .updateRegression(r.id, { status: status.value as RegressionStatus, note: note.value })
            .then((updated) => {
              message.textContent = 'saved';
              onSaved(updated);
            })
            .catch((err: Error) => {
              message.textContent = `not saved: ${err.message}`;
            });
        },
      },
    },
    status,
    note,
    h('button', { attrs: { type: 'submit' } }, 'Save'),
    message,
  );
  return form;
}

export async function renderRegressions(ctx: ViewContext): Promise<Child> {
  const header = [
    h('h1', {}, 'Regressions'),
    lead(
      'Changes the detector found in a series: the first run after the change, its size with a 95% CI, and how sure it is.',
    ),
  ];
  const machines = await ctx.api.machines();
  if (machines.length === 0) return [header, noRunsYet()];
  const machineParam = ctx.params.get('machine') ?? '';
  const status = ctx.params.get('status') ?? '';
  const kind = ctx.params.get('kind') ?? '';
  const all = await ctx.api.regressions({ machine: machineParam ? Number(machineParam) : undefined });
  const shown = all.filter((r) => (!status || r.status === status) && (!kind || r.kind === kind));
  const isAdmin = !ctx.isStatic && ctx.session?.role === 'admin';

  const controls = h(
    'div',
    { className: 'controls' },
    select(
      'Machine',
      [{ value: '', label: 'all machines' }, ...machines.map((m) => ({ value: String(m.id), label: m.hostname }))],
      machineParam,
      (v) => ctx.setParams({ machine: v || undefined }),
      'machine',
    ),
    select(
      'Status',
      [{ value: '', label: 'any status' }, ...REGRESSION_STATUSES.map((s) => ({ value: s, label: s }))],
      status,
      (v) => ctx.setParams({ status: v || undefined }),
      'status',
    ),
    select(
      'Kind',
      [
        { value: '', label: 'both' },
        { value: 'regression', label: 'slower (regression)' },
        { value: 'improvement', label: 'faster (improvement)' },
      ],
      kind,
      (v) => ctx.setParams({ kind: v || undefined }),
      'kind',
    ),
  );
  if (shown.length === 0) {
    const why = all.length ? 'No change matches these filters.' : 'No change detected yet.';
    const advice = all.length
      ? 'Clear a filter above to see the others.'
      : 'The detector needs a few runs of a series before it can tell a change from noise; keep the nightly runs coming.';
    return [header, controls, emptyState(why, advice)];
  }

  const columns: Column<Regression>[] = [
    {
      key: 'when',
      label: 'since',
      value: (r) => r.startedAt,
      cell: (r) => viewLink('history', historyLinkParams(r), formatTime(r.startedAt)),
    },
    {
      key: 'case',
      label: 'benchmark',
      value: (r) => `${r.suite}/${r.benchmark}`,
      cell: (r) => [
        h('div', {}, `${r.suite}/${r.benchmark}`),
        h('div', { className: 'muted' }, formatParams(r.params)),
      ],
    },
    {
      key: 'mode',
      label: 'mode',
      value: (r) => r.modeId,
      cell: (r) => h('span', { attrs: { title: r.modeId } }, modeName(r.modeId)),
    },
    { key: 'machine', label: 'machine', value: (r) => r.hostname, cell: (r) => r.hostname },
    {
      key: 'change',
      label: 'change [95% CI]',
      numeric: true,
      value: (r) => r.change,
      cell: (r) => [
        h(
          'span',
          { className: `badge ${r.kind}` },
          `${formatChange(r.change)} ${r.kind === 'regression' ? 'slower' : 'faster'}`,
        ),
        ` [${formatChange(r.changeCiLow)}, ${formatChange(r.changeCiHigh)}]`,
      ],
    },
    {
      key: 'levels',
      label: 'before → after',
      numeric: true,
      value: (r) => r.afterNs,
      cell: (r) => `${formatNs(r.beforeNs)} → ${formatNs(r.afterNs)}`,
    },
    {
      key: 'confidence',
      label: 'confidence',
      numeric: true,
      value: (r) => r.confidence,
      cell: (r) => formatPercent(r.confidence, 0),
    },
    {
      key: 'status',
      label: 'status / note',
      value: (r) => r.status,
      cell: (r) => {
        const shownStatus = (x: Regression) => [
          h('span', { className: `badge ${x.status}` }, x.status),
          x.note ? h('div', { className: 'note' }, x.note) : null,
        ];
        const holder = h('div', {}, shownStatus(r));
        if (!isAdmin) return holder;
        return [holder, adminForm(ctx, r, (updated) => replaceChildren(holder, shownStatus(updated)))];
      },
    },
  ];
  return [
    header,
    controls,
    isAdmin || ctx.isStatic
      ? null
      : h('p', { className: 'muted' }, 'Sign in with an admin token (top right) to change a status or add a note.'),
    sortableTable(columns, shown, {
      sort: 'when',
      descending: true,
      testId: 'regressions',
      rowData: (r) => ({ regression: r.id }),
    }),
  ];
}
