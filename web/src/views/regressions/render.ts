/**
 * Draws regressions' model: the filters and the sortable table; an admin
 * gets a form per change to set its status and add a note.
 */
import { REGRESSION_STATUSES, type Regression, type RegressionStatus } from '../../api.ts';
import { type Child, h, replaceChildren } from '../../dom.ts';
import { type Column, sortableTable } from '../../table.ts';
import { controls, empty, header, viewLink } from '../shared/render.ts';
import type { ViewContext } from '../types.ts';
import type { RegressionRow, RegressionsModel } from './model.ts';

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
  return h(
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
}

function statusOf(x: Regression): Child {
  return [
    h('span', { className: `badge ${x.status}` }, x.status),
    x.note ? h('div', { className: 'note' }, x.note) : null,
  ];
}

function columns(ctx: ViewContext, isAdmin: boolean): Column<RegressionRow>[] {
  return [
    {
      key: 'when',
      label: 'since',
      value: (r) => r.regression.startedAt,
      cell: (r) => viewLink(r.since.view, r.since.params, r.since.text),
    },
    {
      key: 'case',
      label: 'benchmark',
      value: (r) => r.benchmark,
      cell: (r) => [h('div', {}, r.benchmark), h('div', { className: 'muted' }, r.params)],
    },
    {
      key: 'mode',
      label: 'mode',
      value: (r) => r.regression.modeId,
      cell: (r) => h('span', { attrs: { title: r.regression.modeId } }, r.mode),
    },
    { key: 'machine', label: 'machine', value: (r) => r.regression.hostname, cell: (r) => r.regression.hostname },
    {
      key: 'change',
      label: 'change [95% CI]',
      numeric: true,
      value: (r) => r.regression.change,
      cell: (r) => [h('span', { className: `badge ${r.regression.kind}` }, r.change), r.changeCi],
    },
    {
      key: 'levels',
      label: 'before → after',
      numeric: true,
      value: (r) => r.regression.afterNs,
      cell: (r) => r.levels,
    },
    {
      key: 'confidence',
      label: 'confidence',
      numeric: true,
      value: (r) => r.regression.confidence,
      cell: (r) => r.confidence,
    },
    {
      key: 'status',
      label: 'status / note',
      value: (r) => r.regression.status,
      cell: (r) => {
        const holder = h('div', {}, statusOf(r.regression));
        if (!isAdmin) return holder;
        return [holder, adminForm(ctx, r.regression, (updated) => replaceChildren(holder, statusOf(updated)))];
      },
    },
  ];
}

export function renderRegressions(model: RegressionsModel, ctx: ViewContext): Child {
  const top = header('Regressions', [model.lead]);
  if (model.noMachine) return [top, empty(model.noMachine)];
  const row = controls(ctx, model.filters);
  if (model.empty) return [top, row, empty(model.empty)];
  return [
    top,
    row,
    model.signInHint
      ? h('p', { className: 'muted' }, 'Sign in with an admin token (top right) to change a status or add a note.')
      : null,
    sortableTable(columns(ctx, model.isAdmin), model.rows, {
      sort: 'when',
      descending: true,
      testId: 'regressions',
      rowData: (r) => ({ regression: r.regression.id }),
    }),
  ];
}
