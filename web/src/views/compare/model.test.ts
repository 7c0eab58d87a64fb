import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SeededApi, seededApi, viewState } from '../../../test/api.ts';
import { formatRatio } from '../../format.ts';
import { loadCompare } from './load.ts';
import { chooseComparison, compareModel, mostChanged, ROWS_SHOWN } from './model.ts';

let seeded: SeededApi;
beforeAll(async () => {
  seeded = await seededApi();
});
afterAll(() => seeded?.close());

async function modelOf(params: Record<string, string | number>) {
  const state = viewState(params);
  const data = await loadCompare(seeded.api, state);
  return { data, model: compareModel(data, state) };
}

describe('compare model', () => {
  it('compares nogil against gil of the newest run by default: rows, headline, footer and chart', async () => {
    const { data, model } = await modelOf({ machine: seeded.seed.machineA.id });
    const newest = seeded.seed.runsA.at(-1)!;
    const view = data.comparison!;
    expect(view.base.mode.id).toBe('cpython-3.13.5/gil');
    expect(view.other.mode.id).toBe('cpython-3.13.5t/nogil');
    expect(model.controls.map((c) => [c.name, c.value])).toEqual([
      ['machine', String(seeded.seed.machineA.id)],
      ['by', 'modes'],
      ['run', newest.id],
      ['base', 'cpython-3.13.5/gil'],
      ['other', 'cpython-3.13.5t/nogil'],
      ['suite', ''],
    ]);
    expect(model.table!.rows.map((r) => r.caseId)).toEqual(view.rows.map((r) => r.caseId));
    expect(model.headline!.value).toBe(formatRatio(view.geometricMean!.value));
    expect(model.table!.footer.value).toBe(view.geometricMean!.value);
    expect(model.table!.baseLabel).toBe('gil (base)');
    expect(model.chart!.bars).toHaveLength(view.rows.filter((r) => r.ratio !== null).length);
    expect(model.table!.sort).toBe('case');
  });

  it('collapses each suite to its summary and the rows that matter; all=SUITE and a named case show them all', async () => {
    const { data, model } = await modelOf({ machine: seeded.seed.machineA.id });
    const sections = model.table!.sections;
    expect(sections.reduce((n, s) => n + s.rowCount, 0)).toBe(model.table!.rows.length);
    for (const s of sections) {
      expect(s.shown).toHaveLength(Math.min(ROWS_SHOWN, s.rowCount));
      expect(s.summary).toMatch(/^geometric mean \d/);
    }
    // The seed's suites are short: one suite of all its rows stands for a long one.
    const view = data.comparison!;
    const one = {
      ...data,
      comparison: {
        ...view,
        rows: view.rows.map((r) => ({ ...r, suite: 'every' })),
        suites: [{ suite: 'every', geometricMean: view.geometricMean }],
      },
    };
    expect(view.rows.length).toBeGreaterThan(ROWS_SHOWN);
    const table = compareModel(one, viewState()).table!;
    const collapsed = table.sections[0]!;
    expect(collapsed).toMatchObject({ suite: 'every', open: false, rowCount: view.rows.length });
    // Significant changes first, then the largest either way.
    expect([...collapsed.shown].sort()).toEqual(
      mostChanged(table.rows, ROWS_SHOWN)
        .map((r) => r.caseId)
        .sort(),
    );
    const hidden = table.rows.filter((r) => !collapsed.shown.includes(r.caseId));
    const shown = table.rows.filter((r) => collapsed.shown.includes(r.caseId));
    if (hidden.some((r) => r.significant)) expect(shown.every((r) => r.significant)).toBe(true);
    expect(compareModel(one, viewState({ all: 'every' })).table!.sections[0]!.shown).toHaveLength(view.rows.length);
    expect(compareModel(one, viewState({ case: hidden[0]!.caseId })).table!.sections[0]!.open).toBe(true);
  });

  it('filters to one suite with its own geometric mean, and keeps the sort from the URL', async () => {
    const { data, model } = await modelOf({ machine: seeded.seed.machineA.id, suite: 'calls', sort: 'ratio', desc: 1 });
    const gm = data.comparison!.suites.find((s) => s.suite === 'calls')!.geometricMean!;
    expect(model.table!.rows.every((r) => r.caseId.startsWith('calls/'))).toBe(true);
    expect(model.headline!.value).toBe(formatRatio(gm.value));
    expect(model.table).toMatchObject({ sort: 'ratio', descending: true });
  });

  it('says so when the URL names a mode the run lacks, and compares with another', async () => {
    const { model } = await modelOf({ machine: seeded.seed.machineA.id, other: 'pypy' });
    expect(model.notice?.title).toBe('This run has no pypy mode.');
    expect(model.table).not.toBeNull();
  });

  it('compares one mode in two runs against the run before the newest', async () => {
    const { data, model } = await modelOf({ machine: seeded.seed.machineA.id, by: 'runs' });
    const older = seeded.seed.runsA[1]!;
    const newest = seeded.seed.runsA[2]!;
    expect(model.controls.find((c) => c.name === 'against')?.value).toBe(older.id);
    expect(model.controls.find((c) => c.name === 'mode')?.value).toBe('cpython-3.13.5t/nogil');
    expect(data.comparison!.other.label).not.toBe(data.comparison!.base.label);
    expect(model.table!.otherLabel).toBe(data.comparison!.other.label);
    expect(newest.id).toBe(model.controls.find((c) => c.name === 'run')?.value);
  });

  it('explains why nothing is compared: one run, or a single mode', async () => {
    const oneRun = await modelOf({ machine: seeded.seed.machineB.id, by: 'runs' });
    expect(oneRun.model.empty?.title).toBe('This machine has only one run.');
    expect(oneRun.data.comparison).toBeNull();
    const run = seeded.seed.runsA[0]!;
    const info = { ...(await seeded.api.runs({ machine: seeded.seed.machineA.id }))[0]!, modes: [run.modes[0]!] };
    expect(chooseComparison([info], new URLSearchParams())).toMatchObject({ by: 'modes', problem: 'second-mode' });
  });

  it('tells a server without machines how to upload a first run', () => {
    const model = compareModel({ machines: [], machine: undefined, runs: [], comparison: null }, viewState());
    expect(model.noMachine?.title).toBe('No runs yet.');
  });
});
