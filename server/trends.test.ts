/**
 * `GET /api/v1/machines/:id/trends`: each run's headlines are the numbers the
 * run's own comparison answer gives (what the overview reads), its runtimes
 * are named, and bad input is a 4xx that changes nothing. Runs on SQLite
 * here and on PostgreSQL in trends.postgres.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { geometricMean } from '../harness/stats/geomean.ts';
import { isCallCase } from '../harness/stats/headlines.ts';
import { tempDir } from '../harness/test-support/index.ts';
import { type GilbenchApp, openApp } from './app.ts';
import type { ComparisonView, TrendsResponse } from './contract/index.ts';
import { seedCopy, storeSnapshot } from './store/test-backend.ts';
import { fixtureRun, onRelease, type Seed, seedDatabase } from './test-support/index.ts';

describe('GET /api/v1/machines/:id/trends', () => {
  const { dir, remove } = tempDir();
  let seed: Seed;
  let app: GilbenchApp;
  const auth = () => ({ authorization: `Bearer ${seed.tokens.admin}` });
  const get = (path: string) => app.request(path, { headers: auth() });

  beforeAll(async () => {
    seed = await seedDatabase(`${dir}/seed.db`);
    app = await openApp({ db: await seedCopy(seed.file, dir), log: () => {} });
    // A newer run on another CPython release, and one of gil alone.
    const newer = onRelease(
      fixtureRun({ machine: seed.machineA.facts, seed: 77, startedAt: new Date('2025-06-02T06:00:00Z') }),
      '3.13.15',
    );
    const gilOnly = fixtureRun({ machine: seed.machineA.facts, seed: 78, startedAt: new Date('2025-06-02T07:00:00Z') });
    gilOnly.modes = gilOnly.modes.filter((m) => m.mode === 'gil');
    gilOnly.results = gilOnly.results.filter((r) => r.mode === gilOnly.modes[0]!.id);
    for (const doc of [newer, gilOnly]) {
      const res = await app.request('/api/v1/runs', {
        method: 'POST',
        headers: { ...auth(), 'content-type': 'application/json' },
        body: JSON.stringify(doc),
      });
      expect(res.status, await res.text()).toBe(201);
    }
  }, 60_000);
  afterAll(async () => {
    await app.close();
    remove();
  });

  it("gives each run's headlines as its own comparison answer has them, newest first", async () => {
    const res = await get(`/api/v1/machines/${seed.machineA.id}/trends`);
    expect(res.status).toBe(200);
    const trend = (await res.json()) as TrendsResponse;
    expect(trend.machineId).toBe(seed.machineA.id);
    expect(trend.runs).toHaveLength(seed.runsA.length + 2);
    const times = trend.runs.map((r) => r.startedAt);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    for (const run of trend.runs.filter((r) => r.modes.some((m) => m.mode === 'nogil'))) {
      const view = (await (await get(`/api/v1/runs/${run.runId}/compare?other=nogil`)).json()) as ComparisonView;
      const single = view.suites.find((s) => s.suite === 'single-thread')!.geometricMean!;
      expect(run.headlines.overhead).toEqual({
        value: single.value,
        ciLow: single.ciLow,
        ciHigh: single.ciHigh,
        count: single.count,
        scope: 'single-thread',
      });
      const calls = geometricMean(view.rows.filter((r) => isCallCase(r.params)))!;
      expect(run.headlines.calls?.value).toBe(calls.value);
      expect(run.headlines.scaling?.threads).toBe(8);
      expect(run.headlines.locks?.nogil?.value).toBeGreaterThan(0);
      expect(run.headlines.memory?.count).toBeGreaterThan(0);
    }
  }, 60_000);

  it('names each mode’s runtime, so a page can mark the release change', async () => {
    const { runs } = (await (await get(`/api/v1/machines/${seed.machineA.id}/trends`)).json()) as TrendsResponse;
    const [gilOnly, newer, older] = runs;
    expect(newer!.modes.map((m) => m.version)).toEqual(['3.13.15', '3.13.15', '3.13.15']);
    expect(older!.modes.find((m) => m.mode === 'nogil')).toMatchObject({
      version: '3.13.5',
      buildKind: 'fast',
      freeThreaded: true,
    });
    expect(newer!.profile).toBe('synthetic');
    // Without nogil: no nogil/gil headline, and gil's lock cost alone.
    expect(gilOnly!.headlines).toMatchObject({ overhead: null, memory: null, scaling: null, calls: null });
    expect(gilOnly!.headlines.locks?.gil).not.toBeNull();
    expect(gilOnly!.headlines.locks?.nogil).toBeNull();
  });

  it('takes the newest `limit` runs', async () => {
    const { runs } = (await (
      await get(`/api/v1/machines/${seed.machineA.id}/trends?limit=2`)
    ).json()) as TrendsResponse;
    expect(runs.map((r) => r.modes[0]!.version)).toEqual(['3.13.5', '3.13.15']);
    // Machine B's trend holds only its own run.
    const b = (await (await get(`/api/v1/machines/${seed.machineB.id}/trends`)).json()) as TrendsResponse;
    expect(b.runs.map((r) => r.runId)).toEqual([seed.runB.id]);
  });

  it('refuses bad input with a clear 4xx and changes nothing', async () => {
    // An app of its own: the other's uploads keep answers in the store in the background.
    const quiet = await openApp({ db: await seedCopy(seed.file, dir), log: () => {} });
    const before = await storeSnapshot(quiet.repo.store);
    for (const [path, status, detail] of [
      [`/api/v1/machines/${seed.machineA.id}/trends?limit=0`, 400, /limit/],
      [`/api/v1/machines/${seed.machineA.id}/trends?limit=1001`, 400, /limit/],
      [`/api/v1/machines/${seed.machineA.id}/trends?limit=ten`, 400, /limit/],
      ['/api/v1/machines/abc/trends', 400, /id/],
      ['/api/v1/machines/999999/trends', 404, /no machine 999999/],
    ] as const) {
      const res = await quiet.request(path, { headers: auth() });
      expect(res.status, path).toBe(status);
      const body = (await res.json()) as { error: string; detail: string };
      expect(body.detail, path).toMatch(detail);
    }
    expect(await storeSnapshot(quiet.repo.store)).toEqual(before);
    await quiet.close();
  });
});
