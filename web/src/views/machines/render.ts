/**
 * Draws machines and runs' model: the machine links, its metadata, a run in
 * detail, its jobs (read again every few seconds while one is queued or
 * running) and its runs.
 */
import { type Child, h } from '../../dom.ts';
import { type Column, simpleTable, sortableTable } from '../../table.ts';
import { empty, header, inline, viewLink } from '../shared/render.ts';
import type { ViewContext } from '../types.ts';
import {
  type JobRow,
  jobRows,
  jobsPending,
  type MachinePage,
  type MachinesModel,
  NO_JOBS,
  type ResultLine,
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

const RESULT_COLUMNS: Column<ResultLine>[] = [
  { key: 'benchmark', label: 'benchmark', value: (r) => r.benchmark, cell: (r) => r.benchmark },
  { key: 'params', label: 'params', value: (r) => r.params, cell: (r) => r.params },
  { key: 'mode', label: 'mode', value: (r) => r.mode, cell: (r) => h('span', { attrs: { title: r.modeId } }, r.mode) },
  {
    key: 'status',
    label: 'status',
    value: (r) => r.status,
    cell: (r) => h('span', { className: `badge ${r.ok ? 'completed' : 'failed'}` }, r.status),
  },
  {
    key: 'median',
    label: 'median ns/op',
    numeric: true,
    value: (r) => r.medianNs,
    cell: (r) => [
      r.median,
      r.unstable
        ? h(
            'span',
            { className: 'unstable', data: { unstable: '1' }, attrs: { title: 'unstable', 'aria-label': 'unstable' } },
            ' ?',
          )
        : null,
    ],
  },
  { key: 'ci', label: '95% CI', numeric: true, cell: (r) => r.ci },
  { key: 'rss', label: 'peak RSS', numeric: true, cell: (r) => r.peakRss },
  {
    key: 'warnings',
    label: 'warnings',
    value: (r) => r.warnings.length,
    cell: (r) => [
      r.warnings.map((w) =>
        // The GIL's verdict names the module and what to do: shown in full, not only as a tooltip.
        w.code === 'gil-reenabled' || w.code === 'gil-forced-off'
          ? h('div', { className: 'note' }, `${w.code}: ${w.message}`)
          : h('span', { attrs: { title: w.message } }, w.code, ' '),
      ),
      r.error ? h('div', { className: 'note' }, r.error) : null,
    ],
  },
];

/**
 * The run's results, one collapsed section per suite (a 507-result run was 16,000 px of rows), each a
 * sortable table, under a filter on the case and mode that opens the sections it matches.
 */
function resultSections(run: RunSection): Child {
  const sections = run.suites.map((s) => {
    const rows = run.results.filter((r) => r.suite === s.suite);
    const details = h(
      'details',
      { data: { suite: s.suite } },
      h('summary', {}, h('strong', {}, s.suite), ` · ${s.summary}`),
      sortableTable(RESULT_COLUMNS, rows, {
        sort: 'benchmark',
        testId: 'run-results',
        rowData: (r) => ({ case: `${r.benchmark}[${r.params}] ${r.mode}`.toLowerCase(), warned: r.warnings.length }),
        onSort: () => apply(),
      }),
    ) as HTMLDetailsElement;
    return details;
  });
  const text = h('input', {
    attrs: { type: 'search', placeholder: 'filter: benchmark, params or mode', 'aria-label': 'filter results' },
    data: { filter: 'results' },
  }) as HTMLInputElement;
  const warned = h('input', { attrs: { type: 'checkbox' }, data: { filter: 'warned' } }) as HTMLInputElement;
  const count = h('span', { className: 'muted', data: { shown: 'results' } });
  function apply(): void {
    const words = text.value.toLowerCase().split(/\s+/).filter(Boolean);
    const filtering = words.length > 0 || warned.checked;
    let shown = 0;
    for (const details of sections) {
      let inSection = 0;
      for (const tr of details.querySelectorAll<HTMLTableRowElement>('tbody tr')) {
        const key = tr.dataset.case ?? '';
        const match = words.every((w) => key.includes(w)) && (!warned.checked || tr.dataset.warned !== '0');
        tr.hidden = !match;
        if (match) inSection++;
      }
      shown += inSection;
      details.hidden = filtering && inSection === 0;
      if (filtering) details.open = inSection > 0;
    }
    count.textContent = filtering ? `${shown} of ${run.results.length} results` : `${run.results.length} results`;
  }
  text.addEventListener('input', apply);
  warned.addEventListener('change', apply);
  apply();
  return [
    h('h3', {}, 'Results by suite'),
    h('div', { className: 'controls' }, text, h('label', {}, warned, ' only with warnings'), count),
    sections,
  ];
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
    resultSections(run),
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
          page.runs.rows
            .slice(0, page.runs.shown)
            .map((r) => [
              viewLink(r.started.view, r.started.params, r.started.text),
              r.profile,
              r.modes,
              r.results,
              r.warnings,
            ]),
          { numeric: [3, 4], testId: 'runs' },
        ),
    page.runs.shown < page.runs.rows.length
      ? h(
          'button',
          {
            attrs: { type: 'button' },
            data: { showAll: 'runs' },
            on: { click: () => ctx.setParams({ runs: 'all' }, { replace: true }) },
          },
          `show all ${page.runs.rows.length} runs (the newest ${page.runs.shown} shown)`,
        )
      : null,
  ];
}

export function renderMachines(model: MachinesModel, ctx: ViewContext): Child {
  const top = header('Machines and runs', [model.lead]);
  if (!model.page) return [top, model.noMachine ? empty(model.noMachine) : null];
  return [top, machinePage(ctx, model.page)];
}
