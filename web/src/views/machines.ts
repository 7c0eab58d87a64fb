/**
 * Machines and runs: each machine's metadata and when it was last seen, its
 * runs, its jobs with their status, and the live progress of a running job
 * (polled every few seconds while one runs). With `run=` it shows one run:
 * its modes, runtimes' facts and every result.
 *
 * URL state: `machine`, `run`.
 */
import { canSeeJobs, type Job, type MachineInfo, type RunDetail, type RunInfo } from '../api.ts';
import { type Child, code, emptyState, h } from '../dom.ts';
import { formatAgo, formatBytes, formatNs, formatParams, formatTime } from '../format.ts';
import { simpleTable } from '../table.ts';
import { lead, machineLabel, measureCommand, noRunsYet, resolveMachine, type ViewContext, viewLink } from './common.ts';

/** How often a running job's progress is read again. */
export const PROGRESS_POLL_MS = 3000;

function metadata(m: MachineInfo): HTMLElement {
  const rows: Array<[string, Child]> = [
    ['hostname', m.hostname],
    ['fingerprint', code(m.fingerprint)],
    [
      'CPU',
      `${m.cpu.brand} · ${m.cpu.cores} logical, ${m.cpu.physicalCores ?? '?'} physical, ${m.cpu.usableCores} usable`,
    ],
    ['governor', m.cpu.governor ?? 'unknown'],
    ['memory', formatBytes(m.memoryBytes)],
    ['OS', `${m.os} · kernel ${m.kernel} · ${m.arch}`],
    ['labels', m.labels.length ? m.labels.join(', ') : 'none'],
    ['first seen', formatTime(m.firstSeen)],
    ['last seen', `${formatTime(m.lastSeen)} (${formatAgo(m.lastSeen)})`],
  ];
  return h(
    'dl',
    { className: 'meta' },
    rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
  );
}

function progressCell(job: Job): Child {
  if (job.status !== 'running')
    return job.error
      ? h('span', { className: 'note' }, job.error)
      : job.runId
        ? viewLink('machines', { machine: job.claimedBy ?? job.machineId ?? '', run: job.runId }, 'run')
        : '';
  const p = job.progress;
  if (!p || p.total === 0) return h('span', { data: { progress: job.id } }, 'starting…');
  return h(
    'span',
    { data: { progress: job.id } },
    h('progress', { attrs: { max: p.total, value: p.done } }),
    ` ${p.done}/${p.total} `,
    h('span', { className: 'muted' }, `${p.message} (${formatAgo(p.at)})`),
  );
}

function jobsTable(jobs: Job[]): HTMLElement {
  if (jobs.length === 0)
    return emptyState(
      'No jobs for this machine.',
      'An admin queues one with ',
      code('POST /api/v1/jobs {"suites": ["scaling"], "modes": ["gil", "nogil"]}'),
      ' or makes a nightly schedule with ',
      code('POST /api/v1/schedules'),
      '; the machine’s agent (',
      code('gilbench agent --server URL'),
      ') claims it and its progress shows here.',
    );
  return simpleTable(
    ['job', 'status', 'suites', 'modes', 'created', 'progress / result'],
    jobs.map((j) => [
      String(j.id),
      h('span', { className: `badge ${j.status}` }, j.status),
      j.suites.join(', '),
      j.modes.join(', '),
      formatAgo(j.createdAt),
      progressCell(j),
    ]),
    { testId: 'jobs' },
  );
}

function runsTable(machine: MachineInfo, runs: RunInfo[]): HTMLElement {
  if (runs.length === 0)
    return emptyState(
      'No runs from this machine yet.',
      'Its agent uploads one after its first job; to measure now, run ',
      measureCommand('single-thread,scaling,calls,locks'),
      ' on it.',
    );
  return simpleTable(
    ['started', 'profile', 'modes', 'results', 'warnings'],
    runs.map((r) => [
      viewLink('machines', { machine: machine.id, run: r.id }, formatTime(r.startedAt)),
      r.profile,
      r.modes.map((m) => m.id).join(', '),
      String(r.resultCount),
      String(r.warnings.length),
    ]),
    { numeric: [3, 4], testId: 'runs' },
  );
}

function runDetail(machine: MachineInfo, run: RunDetail): Child {
  const results = [...run.results].sort(
    (a, b) =>
      `${a.suite}/${a.benchmark}`.localeCompare(`${b.suite}/${b.benchmark}`) ||
      formatParams(a.params).localeCompare(formatParams(b.params)),
  );
  return [
    h('h2', {}, `Run ${run.id}`),
    h(
      'p',
      {},
      `${formatTime(run.startedAt)} – ${formatTime(run.finishedAt)}, profile ${run.profile}, gilbench ${run.gilbenchVersion}. `,
      viewLink('compare', { machine: machine.id, run: run.id }, 'compare its modes →'),
      ' ',
      viewLink('scaling', { machine: machine.id, run: run.id }, 'scaling →'),
    ),
    run.warnings.length
      ? h(
          'ul',
          {},
          run.warnings.map((w) => h('li', {}, `${w.code}: ${w.message}`)),
        )
      : null,
    simpleTable(
      ['suite/benchmark', 'params', 'mode', 'status', 'median ns/op', '95% CI', 'peak RSS', 'warnings'],
      results.map((r) => [
        `${r.suite}/${r.benchmark}`,
        formatParams(r.params),
        h('span', { attrs: { title: r.mode } }, r.modeKind ?? r.mode),
        h('span', { className: `badge ${r.status === 'ok' ? 'completed' : 'failed'}` }, r.status),
        formatNs(r.stats?.median),
        r.stats ? `${formatNs(r.stats.ciLow)} – ${formatNs(r.stats.ciHigh)}` : '–',
        formatBytes(r.peakRssBytes),
        [
          r.warnings.map((w) =>
            // The GIL's verdict names the module and what to do: shown in full, not only as a tooltip.
            w.code === 'gil-reenabled' || w.code === 'gil-forced-off'
              ? h('div', { className: 'note' }, `${w.code}: ${w.message}`)
              : h('span', { attrs: { title: w.message } }, w.code, ' '),
          ),
          r.error ? h('div', { className: 'note' }, r.error.message) : null,
        ],
      ]),
      { numeric: [4, 5, 6], testId: 'run-results' },
    ),
  ];
}

export async function renderMachines(ctx: ViewContext): Promise<Child> {
  const header = [
    h('h1', {}, 'Machines and runs'),
    lead('Where the numbers come from: each machine, its runs and its jobs.'),
  ];
  const machines = await ctx.api.machines();
  if (machines.length === 0) return [header, noRunsYet()];
  const machine = (await resolveMachine(ctx, machines))!;
  // Jobs are for operators: a public visitor is not asked for them (the server would refuse).
  const showJobs = !ctx.isStatic && canSeeJobs(ctx.session);
  const [runs, jobs] = await Promise.all([
    ctx.api.runs({ machine: machine.id }),
    showJobs ? ctx.api.jobs({ machine: machine.id }).catch(() => [] as Job[]) : Promise.resolve([] as Job[]),
  ]);
  const runId = ctx.params.get('run');
  const run = runId ? await ctx.api.run(runId) : null;

  const jobsBox = h('div', { data: { section: 'jobs' } }, jobsTable(jobs));
  if (showJobs && jobs.some((j) => j.status === 'running' || j.status === 'queued')) pollJobs(ctx, machine.id, jobsBox);

  return [
    header,
    h(
      'nav',
      { className: 'controls', attrs: { 'aria-label': 'machines' } },
      machines.map((m) =>
        m.id === machine.id
          ? h('strong', {}, machineLabel(m))
          : viewLink('machines', { machine: m.id }, machineLabel(m)),
      ),
    ),
    h(
      'section',
      { className: 'machine', data: { machine: machine.id } },
      h('h2', {}, machineLabel(machine)),
      metadata(machine),
    ),
    run ? runDetail(machine, run) : null,
    ctx.isStatic
      ? null
      : [
          h('h2', {}, 'Jobs'),
          showJobs
            ? jobsBox
            : h('p', { className: 'muted' }, 'Sign in with an admin token (top right) to see jobs and their progress.'),
        ],
    h('h2', {}, `Runs (${runs.length})`),
    runsTable(machine, runs),
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
      box.replaceChildren(jobsTable(jobs));
      if (!jobs.some((j) => j.status === 'running' || j.status === 'queued')) window.clearInterval(timer);
    } catch {
      // A missed poll is retried at the next tick.
    }
  }, PROGRESS_POLL_MS);
}
