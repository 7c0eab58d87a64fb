import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callsHeadline, overheadHeadline } from '../../../../harness/stats/headlines.ts';
import { fixtureRun, onRelease } from '../../../../harness/test-support/index.ts';
import { type SeededApi, seededApi, viewState } from '../../../test/api.ts';
import type { TrendRun } from '../../api.ts';
import { loadOverview } from '../overview/load.ts';
import { loadTrends } from './load.ts';
import { TREND_LIMITS, type TrendsData, trendLimit, trendsModel } from './model.ts';

let seeded: SeededApi;
let data: TrendsData;
beforeAll(async () => {
  seeded = await seededApi();
  // A newer run of machine A on another CPython release.
  const newer = onRelease(
    fixtureRun({ machine: seeded.seed.machineA.facts, seed: 91, startedAt: new Date('2025-06-02T06:00:00Z') }),
    '3.13.15',
  );
  await seeded.api.source.send('POST', '/api/v1/runs', newer);
  data = await loadTrends(seeded.api, viewState({ machine: seeded.seed.machineA.id }));
}, 60_000);
afterAll(() => seeded?.close());

describe('trends model', () => {
  it('agrees with the overview: the same run gives the same headline numbers', async () => {
    const overview = await loadOverview(seeded.api, viewState());
    const found = overview.machines.find((m) => m.machine.id === seeded.seed.machineA.id)!.headlines!;
    const trendOf = (runId: string) => data.runs.find((r) => r.runId === runId)!.headlines;
    // Computed in the browser from the run's compare answer and samples, and by the server's pool: equal.
    expect(trendOf(found.overhead!.run.id).overhead).toEqual(overheadHeadline(found.overhead!.comparison!.rows));
    expect(trendOf(found.scaling!.run.id).scaling).toEqual(found.scaling!.againstGil);
    expect(trendOf(found.locks!.run.id).locks).toEqual(found.locks!.headline);
    expect(trendOf(found.calls!.id).calls).toEqual(callsHeadline(found.callsComparison!.rows));
    expect(trendOf(found.overhead!.run.id).overhead).not.toBeNull();
  });

  it('draws one chart per headline, a point per run, and marks the runtime change on each', () => {
    const model = trendsModel(data, viewState({ machine: seeded.seed.machineA.id }));
    expect(model.charts.map((c) => c.id)).toEqual(['overhead', 'memory', 'scaling', 'calls', 'locks']);
    const runs = seeded.seed.runsA.length + 1;
    for (const chart of model.charts) for (const line of chart.lines) expect(line.points, chart.id).toHaveLength(runs);
    // Oldest first on the time axis.
    const xs = model.charts[0]!.lines[0]!.points.map((p) => p.x);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    expect(model.runtimeChanges.map((c) => c.text)).toEqual(['runtime 3.13.5 → 3.13.15', 'runtime 3.13.5t → 3.13.15t']);
    for (const chart of model.charts)
      expect(chart.marks.map((m) => m.label?.text)).toEqual(['runtime 3.13.5 → 3.13.15 · 3.13.5t → 3.13.15t']);
    const at = Date.parse('2025-06-02T06:00:00Z');
    expect(model.runtimeChanges.every((c) => c.at === at)).toBe(true);
    // Every run in the table, newest first, with its CI; the locks chart has gil and nogil.
    expect(model.rows).toHaveLength(runs);
    expect(model.rows[0]!.runtimes).toBe('cpython-3.13.15 (default build) vs cpython-3.13.15t (free-threaded)');
    expect(model.rows[0]!.overhead).toMatch(/^\S+× \[\S+, \S+\]$/);
    expect(model.charts.find((c) => c.id === 'locks')!.lines.map((l) => l.label)).toEqual(['gil', 'nogil']);
  });

  it('says what is missing: no machine, no run, no headline, one run only', () => {
    const state = viewState();
    expect(trendsModel({ ...data, machine: undefined, machines: [] }, state).noMachine?.title).toBe('No runs yet.');
    expect(trendsModel({ ...data, runs: [] }, state).empty?.title).toBe('This machine has no run yet.');
    const bare = (r: TrendRun): TrendRun => ({
      ...r,
      headlines: { overhead: null, memory: null, scaling: null, calls: null, locks: null },
    });
    expect(trendsModel({ ...data, runs: data.runs.map(bare) }, state).empty?.title).toBe(
      `None of this machine's ${data.runs.length} runs has a headline number.`,
    );
    const one = trendsModel({ ...data, runs: data.runs.slice(0, 1) }, state);
    expect(one.note).toBe('A trend needs a second run: this is the only one.');
    expect(one.runtimeChanges).toEqual([]);
  });

  it('warns when runs rest on the quick profile or many unstable results', () => {
    const state = viewState();
    expect(trendsModel(data, state).notice).toBeNull();
    const runs = data.runs.map((r, i) => (i === 0 ? { ...r, profile: 'quick' } : r));
    expect(trendsModel({ ...data, runs }, state).notice).toMatch(/^1 of 4 runs rest on the quick profile/);
  });

  it('reads the limit from the URL, one the picker offers or the default', () => {
    expect(trendLimit(new URLSearchParams('limit=1000'))).toBe(1000);
    expect(trendLimit(new URLSearchParams('limit=7'))).toBe(TREND_LIMITS[0]);
    expect(trendLimit(new URLSearchParams())).toBe(100);
  });
});
