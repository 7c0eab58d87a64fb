import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SeededApi, seededApi, viewState } from '../../../test/api.ts';
import type { SeriesInfo } from '../../api.ts';
import { loadHistory } from './load.ts';
import { CI_SUFFIX, type HistoryData, historyModel, MAX_POINTS_WITH_BARS, modesChange, seriesCaseId } from './model.ts';

let seeded: SeededApi;
let regressed: SeriesInfo;

beforeAll(async () => {
  seeded = await seededApi();
  const series = await seeded.api.series({ machine: seeded.seed.machineA.id });
  regressed = series.find((s) => s.id === seeded.seed.seriesId)!;
});
afterAll(() => seeded?.close());

async function modelOf(params: Record<string, string | number>) {
  const state = viewState(params);
  const data = await loadHistory(seeded.api, state);
  return { data, model: historyModel(data, state) };
}

describe('history model', () => {
  it('draws one line per mode of the linked case, with CI bars, the change and its marks', async () => {
    const caseId = seriesCaseId(regressed);
    const { data, model } = await modelOf({ machine: seeded.seed.machineA.id, case: caseId });
    expect(model.caseSelect?.value).toBe(caseId);
    const lines = model.chart!.datasets;
    expect(lines.map((d) => d.role)).toEqual(['line', 'line', 'line']);
    expect(lines.map((d) => d.label).sort()).toEqual(data.histories.map((h) => h.series.modeId).sort());
    expect(lines.every((d) => d.points.length === 3 && d.points.every((p) => p.yMin !== undefined))).toBe(true);
    expect(model.chart!.bars).toBe(true);
    // The seeded +8% change on the nogil series, labelled as the page shows it.
    const change = model.chart!.marks.find((m) => m.key === `reg-${seeded.seed.regressionId}`)!;
    expect(change).toMatchObject({
      color: '#c92a2a',
      width: 1.5,
      label: { text: '+8.0% nogil (new)', position: 'start' },
    });
    expect(model.summary).toEqual({
      points: 9,
      text: `9 points in 3 series; 1 detected change(s), ${model.chart!.marks.filter((m) => m.key.startsWith('note-')).length} note(s).`,
    });
    // The newest points first, each linking to its run on the machines page.
    expect(model.recent).toHaveLength(9);
    expect(model.recent[0]!.run).toMatchObject({
      view: 'machines',
      params: { machine: String(seeded.seed.machineA.id) },
    });
    expect(model.recent[0]!.time >= model.recent[8]!.time).toBe(true);
  });

  it('keeps to the modes named in the URL; ticking a box writes the new list, all ticked writes none', async () => {
    const caseId = seriesCaseId(regressed);
    const { model } = await modelOf({ machine: seeded.seed.machineA.id, case: caseId, modes: 'nogil' });
    expect(model.chart!.datasets.map((d) => d.label)).toEqual([regressed.modeId]);
    const toggles = model.modes!;
    expect(toggles.options.filter((o) => o.checked).map((o) => o.modeId)).toEqual([regressed.modeId]);
    const gil = toggles.options.find((o) => o.modeId.endsWith('/gil'))!.modeId;
    expect(modesChange(toggles, gil, true)).toEqual({ modes: [regressed.modeId, gil] });
    expect(modesChange(toggles, regressed.modeId, false)).toEqual({ modes: [] });
    const all = { options: toggles.options.map((o) => ({ ...o, checked: o.modeId !== gil })) };
    expect(modesChange(all, gil, true)).toEqual({ modes: undefined });
  });

  it('says which modes exist when the URL names one the case lacks', async () => {
    const { model } = await modelOf({ machine: seeded.seed.machineA.id, case: seriesCaseId(regressed), modes: 'pypy' });
    expect(model.chart).toBeNull();
    expect(model.empty?.title).toBe('No pypy series for this case.');
    expect(model.empty?.advice[0]).toContain(regressed.modeId);
  });

  it('opens a linked case on the machine with the longest history of it', async () => {
    const { model } = await modelOf({ case: seriesCaseId(regressed) });
    expect(model.machine?.value).toBe(String(seeded.seed.machineA.id));
  });

  it('says a single run draws no line yet', async () => {
    const { model } = await modelOf({ machine: seeded.seed.machineB.id });
    expect(model.chart).toBeNull();
    expect(model.onlyOneRun?.title).toBe('Only one run so far.');
    expect(model.recent).toHaveLength(3);
  });

  it('takes the visible range, the marked time and the scale from the URL', async () => {
    const { data } = await modelOf({ machine: seeded.seed.machineA.id, case: seriesCaseId(regressed) });
    const at = data.histories[0]!.points[1]!.at;
    const model = historyModel(data, viewState({ from: 5, to: 9, at, scale: 'log', case: seriesCaseId(regressed) }));
    expect(model.chart).toMatchObject({ from: 5, to: 9, log: true });
    expect(model.chart!.marks.find((m) => m.key === 'at')).toEqual({ key: 'at', at, color: '#e67700', width: 2 });
    expect(model.scale?.value).toBe('log');
  });

  it('marks where the runtime changed, once per release change, and says so on a change found there', async () => {
    const { data } = await modelOf({ machine: seeded.seed.machineA.id, case: seriesCaseId(regressed) });
    const at = data.histories[0]!.points[2]!.at;
    const runId = data.histories[0]!.points[2]!.runId;
    const upgraded: HistoryData = {
      ...data,
      histories: data.histories.map((h) => ({
        ...h,
        runtimeChanges: [
          { at, runId, from: h.series.modeId, to: h.series.modeId.replace('3.13.5', '3.13.15').replace('/', '-x/') },
        ],
        regressions: h.regressions.map((r) => ({ ...r, runtimeChange: { from: r.modeId, to: `${r.modeId}-x` } })),
      })),
    };
    const marks = historyModel(upgraded, viewState({ case: seriesCaseId(regressed) })).chart!.marks;
    const runtime = marks.filter((m) => m.key.startsWith('runtime-'));
    // gil's 3.13.5 and the free-threaded 3.13.5t: one mark each, however many series share them.
    expect(runtime.map((m) => m.label?.text).sort()).toEqual([
      'runtime 3.13.5 → 3.13.15-x',
      'runtime 3.13.5t → 3.13.15t-x',
    ]);
    expect(runtime.every((m) => m.at === at && m.dash !== undefined)).toBe(true);
    const change = marks.find((m) => m.key === `reg-${seeded.seed.regressionId}`)!;
    expect(change.label?.text).toMatch(/^\+8\.0% nogil \(new\) at runtime 3\.13\.5t → /);
    // Without runtime changes, no such mark.
    const plain = historyModel(data, viewState({ case: seriesCaseId(regressed) })).chart!.marks;
    expect(plain.some((m) => m.key.startsWith('runtime-'))).toBe(false);
  });

  it('draws a long history as a median line inside a CI band', async () => {
    const { data } = await modelOf({ machine: seeded.seed.machineA.id, case: seriesCaseId(regressed) });
    const [first] = data.histories;
    const points = Array.from({ length: MAX_POINTS_WITH_BARS + 1 }, (_, i) => ({ ...first!.points[0]!, at: i }));
    const long: HistoryData = { ...data, histories: [{ ...first!, points }] };
    const chart = historyModel(long, viewState({ case: seriesCaseId(regressed) })).chart!;
    expect(chart.bars).toBe(false);
    expect(chart.datasets.map((d) => [d.role, d.label.endsWith(CI_SUFFIX), d.dots])).toEqual([
      ['line', false, false],
      ['ci-low', true, false],
      ['ci-high', true, false],
    ]);
    expect(chart.datasets[0]!.points[0]).toEqual({ x: 0, y: points[0]!.median });
  });

  it('tells a server without machines how to upload a first run', () => {
    const model = historyModel({ machines: [], machine: undefined, series: [], histories: [] }, viewState());
    expect(model.noMachine?.title).toBe('No runs yet.');
    expect(model.noMachine?.advice).toContainEqual({
      code: 'gilbench agent --server http://127.0.0.1:8080 --token ENROLL_TOKEN --once --suite single-thread,scaling,calls,locks --mode gil,nogil,ft-gil',
    });
    expect(model.machine).toBeNull();
  });
});
