import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SeededApi, seededApi, viewState } from '../../../test/api.ts';
import { loadScaling } from './load.ts';
import { byWorkload, scalingModel } from './model.ts';

let seeded: SeededApi;
beforeAll(async () => {
  seeded = await seededApi();
});
afterAll(() => seeded?.close());

async function modelOf(params: Record<string, string | number>) {
  const state = viewState(params);
  const data = await loadScaling(seeded.api, state);
  return { data, model: scalingModel(data, state) };
}

describe('scaling model', () => {
  it('by default one closed section per benchmark with its headline, no chart and no bootstrap', async () => {
    const { data, model } = await modelOf({ machine: seeded.seed.machineA.id });
    const benchmarks = [...new Set(data.curves.map((c) => `${c.suite}/${c.benchmark}`))];
    expect(model.sections.map((s) => s.key).sort()).toEqual(benchmarks.sort());
    expect(model.sections.every((s) => !s.open)).toBe(true);
    expect(model.sections[0]!.summary).toMatch(/^speedup at 8 threads: gil \d/);
    expect(model.charts).toEqual([]);
    expect(data.throughput).toEqual([]);
    // The efficiency rows come from the server's curves: the downloads keep them all.
    expect(model.rows).toHaveLength(data.curves.length);
  });

  it('opens the sections the URL names: only their throughput is bootstrapped', async () => {
    const { data, model } = await modelOf({ machine: seeded.seed.machineA.id, open: 'scaling/shared-dict-read' });
    expect(model.sections.filter((s) => s.open).map((s) => s.key)).toEqual(['scaling/shared-dict-read']);
    expect(model.charts.map((c) => c.title)).toEqual(['scaling/shared-dict-read']);
    expect(new Set(data.throughput.map((c) => c.workload))).toEqual(new Set(['scaling/shared-dict-read']));
  });

  it('draws a speedup chart per workload, one line per mode, and a row per workload and mode', async () => {
    const { data, model } = await modelOf({ machine: seeded.seed.machineA.id, open: 'all' });
    expect(data.run?.id).toBe(seeded.seed.runsA.at(-1)!.id);
    const workloads = [...byWorkload(data.curves).keys()];
    expect(model.charts.map((c) => c.title)).toEqual(workloads);
    // The scaling suite first, other threaded benchmarks after it.
    const suites = workloads.map((w) => w.split('/')[0]);
    expect(suites).toEqual([...suites].sort((a, b) => Number(a !== 'scaling') - Number(b !== 'scaling')));
    expect(new Set(suites)).toEqual(new Set(['scaling', 'locks']));
    expect(model.charts[0]).toMatchObject({ id: 'scaling-0', maxThreads: 8 });
    expect(model.charts[0]!.lines.map((l) => l.label)).toEqual(['gil', 'nogil', 'ft-gil']);
    expect(model.threadCounts).toEqual([1, 2, 4, 8]);
    expect(model.rows).toHaveLength(data.curves.length);
    expect(model.rows[0]!.cells).toHaveLength(3);
    expect(model.rows[0]!.cells[0]!.text).toMatch(/^\d+%$/);
    expect(model.oneThread).toBeNull();
    expect(model.controls.map((c) => c.name)).toEqual(['machine', 'run', 'workload']);
    expect(model.controls[2]!.options[0]).toEqual({ value: '', label: `all (${workloads.length})` });
  });

  it('tables and draws throughput against gil on 1 thread beside the speedup, one efficiency definition', async () => {
    const { data, model } = await modelOf({ machine: seeded.seed.machineA.id, open: 'all' });
    expect(data.throughput.length).toBeGreaterThan(0);
    expect(model.throughputCharts.map((c) => c.workload)).toEqual(model.charts.map((c) => c.title));
    expect(model.throughputCharts[0]!.id).toBe('throughput-0');
    const gil = model.throughputRows.find((r) => r.mode === 'gil')!;
    expect(gil.cells[0]).toMatchObject({ threads: 1, text: '1×' });
    const nogil = model.throughputRows.find((r) => r.mode === 'nogil')!;
    expect(nogil.cells.map((c) => c.threads)).toEqual([1, 2, 4, 8]);
    for (const c of nogil.cells) expect(c.text).toMatch(/^\d[\d.]*× \[\d[\d.]*, \d[\d.]*\]$/);
    expect(model.efficiencyNote).toMatch(/^Efficiency = speedup over its own 1 thread ÷ threads/);
  });

  it('shows one workload when the URL names it', async () => {
    const { data } = await modelOf({ machine: seeded.seed.machineA.id });
    const [, second] = byWorkload(data.curves).keys();
    const model = scalingModel(data, viewState({ workload: second! }));
    expect(model.charts.map((c) => c.title)).toEqual([second]);
    expect(model.rows.every((r) => r.workload === second)).toBe(true);
  });

  it('says when a run has no threaded benchmark, or only 1 thread', async () => {
    const { data } = await modelOf({ machine: seeded.seed.machineA.id });
    expect(scalingModel({ ...data, curves: [] }, viewState()).empty?.title).toBe(
      'This run has no threaded benchmark with a 1-thread result.',
    );
    const oneThread = data.curves.map((c) => ({ ...c, points: c.points.filter((p) => p.threads === 1) }));
    const model = scalingModel({ ...data, curves: oneThread }, viewState());
    expect(model.oneThread?.title).toBe('Only 1 thread was measured.');
    expect(model.threadCounts).toEqual([1]);
  });
});
