/**
 * History: one case over time on one machine, one line per mode, with the
 * medians' 95% CIs as error bars, the detector's changes as markers, human
 * annotations, zoom (wheel, pinch, drag a box with shift) and pan (drag).
 * Long series are decimated (LTTB) to about one point per pixel of the
 * visible range, so 10,000 runs draw as fast as 1,000.
 *
 * URL state: `machine`, `case` (`suite/benchmark[params]`), `modes` (names
 * or ids, comma-separated), `from`/`to` (ms since the epoch, the visible
 * range), `at` (a time to mark, e.g. a regression's start), `scale=log`.
 */
import type { Annotation, HistoryView, MachineInfo, Regression, SeriesInfo } from '../api.ts';
import { type Chart, chartBox, makeChart, modeColor } from '../charts.ts';
import { type Child, code, emptyState, h, select } from '../dom.ts';
import { formatChange, formatNs, formatTime } from '../format.ts';
import { listParam } from '../route.ts';
import {
  lead,
  machinePicker,
  measureCommand,
  modeName,
  noRunsYet,
  pickMachine,
  type ViewContext,
  viewLink,
} from './common.ts';

/** A case's display id, as in the run document: `suite/benchmark[k=v,…]`. */
export function seriesCaseId(s: Pick<SeriesInfo, 'suite' | 'benchmark' | 'caseKey'>): string {
  return s.caseKey ? `${s.suite}/${s.benchmark}[${s.caseKey}]` : `${s.suite}/${s.benchmark}`;
}

/** Above this many points, CI bars become a band (bars need parsing, decimation needs none). */
export const MAX_POINTS_WITH_BARS = 1500;
const CI_SUFFIX = '95% CI';

function historyChart(
  ctx: ViewContext,
  histories: HistoryView[],
  regressions: Regression[],
  annotations: Annotation[],
  caseId: string,
): HTMLElement {
  const { figure, canvas } = chartBox(`${caseId}: ns per operation over time`, { height: 380, id: 'history' });
  const from = Number(ctx.params.get('from')) || undefined;
  const to = Number(ctx.params.get('to')) || undefined;
  const at = Number(ctx.params.get('at')) || undefined;
  const total = histories.reduce((n, x) => n + x.points.length, 0);
  const bars = total <= MAX_POINTS_WITH_BARS;

  const marks: Record<string, unknown> = {};
  for (const r of regressions) {
    const color = r.kind === 'regression' ? '#c92a2a' : '#2b8a3e';
    marks[`reg-${r.id}`] = {
      type: 'line',
      xMin: r.startedAt,
      xMax: r.startedAt,
      borderColor: color,
      borderWidth: r.startedAt === at ? 3 : 1.5,
      label: {
        display: true,
        content: `${formatChange(r.change)} ${modeName(r.modeId)} (${r.status})`,
        position: 'start',
        backgroundColor: color,
        font: { size: 10 },
      },
    };
  }
  for (const a of annotations) {
    marks[`note-${a.id}`] = {
      type: 'line',
      xMin: a.at,
      xMax: a.at,
      borderColor: '#495057',
      borderDash: [3, 3],
      borderWidth: 1,
      label: {
        display: true,
        content: a.text.slice(0, 60),
        position: 'end',
        backgroundColor: '#495057',
        font: { size: 10 },
      },
    };
  }
  if (at && !regressions.some((r) => r.startedAt === at)) {
    marks.at = { type: 'line', xMin: at, xMax: at, borderColor: '#e67700', borderWidth: 2 };
  }

  // The error-bar controller needs Chart.js's parsing, which the decimation plugin must skip:
  // short histories get CI bars, long ones a decimated median line inside a decimated CI band.
  const datasets = histories.flatMap((hv, i) => {
    const color = modeColor(hv.series.mode, i);
    const line = {
      label: hv.series.modeId,
      data: hv.points.map((p) =>
        bars ? { x: p.at, y: p.median, yMin: p.ciLow, yMax: p.ciHigh } : { x: p.at, y: p.median },
      ),
      borderColor: color,
      backgroundColor: color,
      errorBarColor: color,
      errorBarWhiskerColor: color,
      borderWidth: 1.5,
      pointRadius: hv.points.length > 200 ? 0 : 2.5,
      pointHitRadius: 4,
    };
    if (bars) return [line];
    const band = (key: 'ciLow' | 'ciHigh') => ({
      label: `${hv.series.modeId} ${CI_SUFFIX}`,
      data: hv.points.map((p) => ({ x: p.at, y: p[key] })),
      borderWidth: 0,
      pointRadius: 0,
      pointHitRadius: 0,
      backgroundColor: `${color}33`,
      fill: key === 'ciHigh' ? '-1' : false,
    });
    return [line, band('ciLow'), band('ciHigh')];
  });
  const chart = makeChart(canvas, {
    type: bars ? 'lineWithErrorBars' : 'line',
    data: { datasets },
    options: {
      parsing: bars ? undefined : false,
      normalized: true,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      scales: {
        x: {
          type: 'time',
          min: from,
          max: to,
          time: { tooltipFormat: 'yyyy-MM-dd HH:mm' },
          ticks: { maxRotation: 0, autoSkipPadding: 16 },
          title: { display: true, text: 'run start (your time zone)' },
        },
        y: {
          type: ctx.params.get('scale') === 'log' ? 'logarithmic' : 'linear',
          title: { display: true, text: 'ns per operation (median, 95% CI)' },
          ticks: { callback: (v: number | string) => formatNs(Number(v)) },
        },
      },
      plugins: {
        legend: {
          position: 'bottom',
          labels: { boxWidth: 14, filter: (item: { text: string }) => !item.text.endsWith(CI_SUFFIX) },
        },
        decimation: {
          enabled: true,
          algorithm: 'lttb',
          samples: Math.max(300, Math.min(2000, window.innerWidth)),
        },
        annotation: { annotations: marks },
        tooltip: {
          callbacks: {
            label: (item: { dataset: { label?: string }; parsed: { y: number } }) =>
              `${item.dataset.label}: ${formatNs(item.parsed.y)}`,
          },
        },
        zoom: {
          limits: { x: { min: 'original', max: 'original', minRange: 60_000 } },
          pan: { enabled: true, mode: 'x', onPanComplete: ({ chart }: { chart: Chart }) => keepRange(ctx, chart) },
          zoom: {
            wheel: { enabled: true },
            pinch: { enabled: true },
            drag: { enabled: true, modifierKey: 'shift' },
            mode: 'x',
            onZoomComplete: ({ chart }: { chart: Chart }) => keepRange(ctx, chart),
          },
        },
      },
    },
  } as never);
  const reset = h(
    'button',
    {
      attrs: { type: 'button' },
      on: {
        click: () => {
          (chart as unknown as { resetZoom(): void }).resetZoom();
          ctx.setParams({ from: undefined, to: undefined }, { replace: true, silent: true });
        },
      },
    },
    'Reset zoom',
  );
  figure.appendChild(
    h('p', { className: 'muted' }, 'Wheel or pinch to zoom, drag to pan, shift-drag to zoom to a box. ', reset),
  );
  return figure;
}

/** The visible range goes into the URL (without re-rendering) so the link shows the same window. */
function keepRange(ctx: ViewContext, chart: Chart): void {
  const x = chart.scales.x;
  if (!x) return;
  ctx.setParams({ from: Math.round(x.min), to: Math.round(x.max) }, { replace: true, silent: true });
}

/**
 * The machine a history is about: the one named by `machine=`; else, for a
 * linked case (`case=`), the machine with the longest history of that case;
 * else the one seen last.
 */
async function historyMachine(
  ctx: ViewContext,
  machines: readonly MachineInfo[],
): Promise<{ machine: MachineInfo | undefined; series: SeriesInfo[] | null }> {
  const named = machines.find((m) => m.id === Number(ctx.params.get('machine')));
  const wantedCase = ctx.params.get('case');
  if (named || !wantedCase || machines.length < 2)
    return { machine: named ?? pickMachine(ctx, machines), series: null };
  const all = await Promise.all(
    machines.map(async (machine) => ({ machine, series: await ctx.api.series({ machine: machine.id }) })),
  );
  const length = (x: (typeof all)[number]) =>
    Math.max(0, ...x.series.filter((s) => seriesCaseId(s) === wantedCase).map((s) => s.points));
  const best = all.reduce((a, b) => (length(b) > length(a) ? b : a));
  return length(best) > 0 ? best : { machine: pickMachine(ctx, machines), series: null };
}

function recentTable(histories: HistoryView[]): HTMLElement {
  const rows = histories.flatMap((hv) => hv.points.slice(-5).map((p) => ({ mode: hv.series.modeId, p })));
  rows.sort((a, b) => b.p.at - a.p.at);
  return h(
    'div',
    { className: 'table-wrap' },
    h(
      'table',
      { data: { table: 'history-recent' } },
      h('caption', { className: 'muted' }, 'Latest points'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'time'),
          h('th', {}, 'mode'),
          h('th', { className: 'num' }, 'median'),
          h('th', { className: 'num' }, '95% CI'),
          h('th', {}, 'run'),
        ),
      ),
      h(
        'tbody',
        {},
        rows
          .slice(0, 15)
          .map(({ mode, p }) =>
            h(
              'tr',
              {},
              h('td', { className: 'nowrap' }, formatTime(p.at)),
              h('td', { attrs: { title: mode } }, modeName(mode)),
              h('td', { className: 'num' }, formatNs(p.median)),
              h(
                'td',
                { className: 'num' },
                p.median === null ? p.status : `${formatNs(p.ciLow)} – ${formatNs(p.ciHigh)}`,
              ),
              h(
                'td',
                {},
                viewLink(
                  'machines',
                  { machine: String(histories[0]?.series.machineId ?? ''), run: p.runId },
                  p.runId.slice(0, 8),
                ),
              ),
            ),
          ),
      ),
    ),
  );
}

export async function renderHistory(ctx: ViewContext): Promise<Child> {
  const header = [
    h('h1', {}, 'History'),
    lead(
      'One case over time, one line per mode. Markers: changes the detector found (red slower, green faster) and notes.',
    ),
  ];
  const machines = await ctx.api.machines();
  const resolved = await historyMachine(ctx, machines);
  const machine = resolved.machine;
  if (!machine) return [header, noRunsYet()];
  const controls = h('div', { className: 'controls' }, machinePicker(ctx, machines, machine));
  const allSeries = resolved.series ?? (await ctx.api.series({ machine: machine.id }));
  if (allSeries.length === 0)
    return [
      header,
      controls,
      emptyState(
        'This machine has no results yet.',
        'Every case and mode it measures becomes a series here; measure with ',
        measureCommand('single-thread,scaling,calls,locks'),
        '.',
      ),
    ];

  const byCase = new Map<string, SeriesInfo[]>();
  for (const s of allSeries) {
    const id = seriesCaseId(s);
    byCase.set(id, [...(byCase.get(id) ?? []), s]);
  }
  const caseIds = [...byCase.keys()].sort();
  const wantedCase = ctx.params.get('case');
  // Without a choice, open the case with the longest history (a one-run case draws nothing).
  const longestCase = () =>
    caseIds.reduce((best, id) =>
      Math.max(...byCase.get(id)!.map((s) => s.points)) > Math.max(...byCase.get(best)!.map((s) => s.points))
        ? id
        : best,
    );
  const caseId = wantedCase && byCase.has(wantedCase) ? wantedCase : longestCase();
  const inCase = byCase.get(caseId)!;
  const wantedModes = listParam(ctx.params, 'modes');
  const chosen = wantedModes.length
    ? inCase.filter((s) => wantedModes.includes(s.modeId) || wantedModes.includes(s.mode))
    : inCase;
  controls.appendChild(
    select(
      'Case',
      caseIds.map((c) => ({ value: c, label: c })),
      caseId,
      (value) => ctx.setParams({ case: value, from: undefined, to: undefined, at: undefined }),
      'case',
    ),
  );
  controls.appendChild(
    h(
      'fieldset',
      { className: 'field' },
      h('legend', {}, 'Modes'),
      inCase.map((s) =>
        h(
          'label',
          {},
          h('input', {
            attrs: { type: 'checkbox', name: 'modes', value: s.modeId, checked: chosen.includes(s) },
            on: {
              change: (e) => {
                const box = e.target as HTMLInputElement;
                const next = new Set((chosen.length ? chosen : inCase).map((x) => x.modeId));
                if (box.checked) next.add(s.modeId);
                else next.delete(s.modeId);
                ctx.setParams({ modes: next.size === inCase.length ? undefined : [...next] });
              },
            },
          }),
          ` ${s.modeId}`,
        ),
      ),
    ),
  );
  controls.appendChild(
    select(
      'Scale',
      [
        { value: '', label: 'linear' },
        { value: 'log', label: 'logarithmic' },
      ],
      ctx.params.get('scale') === 'log' ? 'log' : '',
      (value) => ctx.setParams({ scale: value || undefined }, { replace: true }),
      'scale',
    ),
  );
  if (chosen.length === 0) {
    const missing = wantedModes.join(', ');
    return [
      header,
      controls,
      emptyState(
        `No ${missing} series for this case.`,
        `It was measured in ${inCase.map((s) => s.modeId).join(', ')}; tick one of them above.`,
      ),
    ];
  }

  // Each history carries the changes and notes in its range; notes on the machine repeat per series.
  const histories = await Promise.all(chosen.map((s) => ctx.api.history(s.id)));
  const ownRegressions = uniqueById<Regression>(histories.flatMap((x) => x.regressions ?? []));
  const ownAnnotations = uniqueById<Annotation>(histories.flatMap((x) => x.annotations ?? []));
  const points = histories.reduce((n, x) => n + x.points.length, 0);
  const longest = Math.max(...histories.map((x) => x.points.length));
  const stored = histories.reduce((n, x) => n + x.series.points, 0);
  return [
    header,
    controls,
    longest < 2
      ? emptyState(
          'Only one run so far.',
          'A history needs at least two runs of this case; measure the same suite again (nightly, with ',
          code('gilbench agent --schedule "0 3 * * *"'),
          ') and the line appears.',
        )
      : historyChart(ctx, histories, ownRegressions, ownAnnotations, caseId),
    h(
      'p',
      { className: 'muted', data: { points } },
      `${points} points in ${histories.length} series; ${ownRegressions.length} detected change(s), ${ownAnnotations.length} note(s).`,
      stored > points ? ` The server sends the newest ${points} of ${stored} points; older ones are left out.` : '',
    ),
    recentTable(histories),
  ];
}

function uniqueById<T extends { id: number }>(items: readonly T[]): T[] {
  return [...new Map(items.map((x) => [x.id, x])).values()];
}
