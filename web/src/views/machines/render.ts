/**
 * Draws machines and runs' model: the machine links, its metadata, a run in
 * detail, its jobs (read again every few seconds while one is queued or
 * running) and its runs.
 */
import { type Child, h } from '../../dom.ts';
import { simpleTable } from '../../table.ts';
import { empty, header, inline, viewLink } from '../shared/render.ts';
import type { ViewContext } from '../types.ts';
import {
  type JobRow,
  jobRows,
  jobsPending,
  type MachinePage,
  type MachinesModel,
  NO_JOBS,
  type RunSection,
} from './model.ts';

/** How often a running job's progress is read again. */
export const PROGRESS_POLL_MS = 3000;

function progressCell(row: JobRow): Child {
  const p = row.progress;
  switch (p.kind) {
    case 'note':
      return h('span', { className: 'note' }, p.text);
    case 'run':
      return viewLink(p.link.view, p.link.params, p.link.text);
    case 'none':
      return '';
    case 'starting':
      return h('span', { data: { progress: p.jobId } }, 'starting…');
    case 'running':
      return h(
        'span',
        { data: { progress: p.jobId } },
        h('progress', { attrs: { max: p.total, value: p.done } }),
        ` ${p.done}/${p.total} `,
        h('span', { className: 'muted' }, p.message),
      );
  }
}

function jobsTable(rows: readonly JobRow[]): HTMLElement {
  if (rows.length === 0) return empty(NO_JOBS);
  return simpleTable(
    ['job', 'status', 'suites', 'modes', 'created', 'progress / result'],
    rows.map((j) => [
      j.id,
      h('span', { className: `badge ${j.status}` }, j.status),
      j.suites,
      j.modes,
      j.created,
      progressCell(j),
    ]),
    { testId: 'jobs' },
  );
}

function runDetail(run: RunSection): Child {
  return [
    h('h2', {}, run.title),
    h(
      'p',
      {},
      run.facts,
      viewLink(run.compare.view, run.compare.params, run.compare.text),
      ' ',
      viewLink(run.scaling.view, run.scaling.params, run.scaling.text),
    ),
    run.warnings.length
      ? h(
          'ul',
          {},
          run.warnings.map((w) => h('li', {}, w)),
        )
      : null,
    simpleTable(
      ['suite/benchmark', 'params', 'mode', 'status', 'median ns/op', '95% CI', 'peak RSS', 'warnings'],
      run.results.map((r) => [
        r.benchmark,
        r.params,
        h('span', { attrs: { title: r.modeId } }, r.mode),
        h('span', { className: `badge ${r.ok ? 'completed' : 'failed'}` }, r.status),
        r.median,
        r.ci,
        r.peakRss,
        [
          r.warnings.map((w) =>
            // The GIL's verdict names the module and what to do: shown in full, not only as a tooltip.
            w.code === 'gil-reenabled' || w.code === 'gil-forced-off'
              ? h('div', { className: 'note' }, `${w.code}: ${w.message}`)
              : h('span', { attrs: { title: w.message } }, w.code, ' '),
          ),
          r.error ? h('div', { className: 'note' }, r.error) : null,
        ],
      ]),
      { numeric: [4, 5, 6], testId: 'run-results' },
    ),
  ];
}

/** Reads the jobs again every few seconds while one is queued or running and the box is on the page. */
function pollJobs(ctx: ViewContext, machineId: number, box: HTMLElement): void {
  const timer = window.setInterval(async () => {
    if (!box.isConnected) {
      window.clearInterval(timer);
      return;
    }
    try {
      const jobs = await ctx.api.jobs({ machine: machineId });
      if (!box.isConnected) return;
      box.replaceChildren(jobsTable(jobRows(jobs, Date.now())));
      if (!jobsPending(jobs)) window.clearInterval(timer);
    } catch {
      // A missed poll is retried at the next tick.
    }
  }, PROGRESS_POLL_MS);
}

function machinePage(ctx: ViewContext, page: MachinePage): Child {
  const jobsBox = page.jobs ? h('div', { data: { section: 'jobs' } }, jobsTable(page.jobs.rows)) : null;
  if (jobsBox && page.jobs?.pending) pollJobs(ctx, page.machineId, jobsBox);
  return [
    h(
      'nav',
      { className: 'controls', attrs: { 'aria-label': 'machines' } },
      page.others.map((m) => (m.link ? inline([{ link: m.link }]) : h('strong', {}, m.label))),
    ),
    h(
      'section',
      { className: 'machine', data: { machine: page.machineId } },
      h('h2', {}, page.title),
      h(
        'dl',
        { className: 'meta' },
        page.metadata.map(([k, v]) => [h('dt', {}, k), h('dd', {}, inline([v]))]),
      ),
    ),
    page.run ? runDetail(page.run) : null,
    page.jobs
      ? [
          h('h2', {}, 'Jobs'),
          page.jobs.shown
            ? jobsBox
            : h('p', { className: 'muted' }, 'Sign in with an admin token (top right) to see jobs and their progress.'),
        ]
      : null,
    h('h2', {}, page.runsTitle),
    page.runs.empty
      ? empty(page.runs.empty)
      : simpleTable(
          ['started', 'profile', 'modes', 'results', 'warnings'],
          page.runs.rows.map((r) => [
            viewLink(r.started.view, r.started.params, r.started.text),
            r.profile,
            r.modes,
            r.results,
            r.warnings,
          ]),
          { numeric: [3, 4], testId: 'runs' },
        ),
  ];
}

export function renderMachines(model: MachinesModel, ctx: ViewContext): Child {
  const top = header('Machines and runs', [model.lead]);
  if (!model.page) return [top, model.noMachine ? empty(model.noMachine) : null];
  return [top, machinePage(ctx, model.page)];
}
