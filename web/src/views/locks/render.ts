/** Draws locks' model: the headline table, then one chart per read kind. */

import { LOCK_KINDS, LOCK_LABELS } from '../../../../harness/stats/lock-costs.ts';
import { chartBox, modeColor, ratioBars } from '../../charts.ts';
import { type Child, h } from '../../dom.ts';
import { controls, empty, header } from '../shared/render.ts';
import type { ViewContext } from '../types.ts';
import type { LockChart, LocksModel } from './model.ts';

function lockChart(model: LockChart): HTMLElement {
  const { figure, canvas } = chartBox(model.title, {
    height: Math.max(160, 60 + model.bars.length * 26),
    id: model.id,
  });
  ratioBars(canvas, {
    bars: model.bars,
    colors: model.bars.map((b, i) => modeColor(b.mode, i)),
    other: 'with the lock',
    base: 'lock-free',
    axisTitle: 'time per read ÷ lock-free read (above 1: slower)',
    y: {},
  });
  return figure;
}

function headlineTable(model: LocksModel): HTMLElement {
  return h(
    'div',
    { className: 'table-wrap' },
    h(
      'table',
      { data: { table: 'lock-headline' } },
      h(
        'caption',
        { className: 'muted' },
        `Time per read ÷ lock-free read at ${model.threads} threads, geometric mean over the read kinds (hover for the 95% CI). Lock-free = 1×.`,
      ),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { attrs: { scope: 'col' } }, 'mode'),
          h('th', { attrs: { scope: 'col' } }, 'writer'),
          LOCK_KINDS.map((l) => h('th', { className: 'num', attrs: { scope: 'col' } }, LOCK_LABELS[l] ?? l)),
        ),
      ),
      h(
        'tbody',
        {},
        model.rows.map((r) =>
          h(
            'tr',
            { data: { mode: r.modeId, writer: r.writer } },
            h('td', { attrs: { title: r.modeId } }, r.mode),
            h('td', {}, r.writer),
            r.cells.map((c) =>
              h('td', { className: 'num', attrs: { title: c.title }, data: { lock: c.lock } }, c.text),
            ),
          ),
        ),
      ),
    ),
  );
}

export function renderLocks(model: LocksModel, ctx: ViewContext): Child {
  const top = header('Locks', [model.lead]);
  if (model.noMachine) return [top, empty(model.noMachine)];
  const row = controls(ctx, model.controls);
  if (model.empty) return [top, row, empty(model.empty)];
  return [
    top,
    row,
    h(
      'ul',
      { className: 'headline', data: { headline: 'locks' } },
      model.headline.map((t) => h('li', {}, t)),
    ),
    headlineTable(model),
    h('div', { className: 'charts-grid' }, model.charts.map(lockChart)),
  ];
}
