/**
 * The app through `app.request` on real temporary SQLite files: bad input
 * (every refusal is a 4xx with {error, detail} and leaves the database as it
 * was), ingest with detection, the agent's job flow, comparisons and history.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunDocument } from '../harness/schema.ts';
import { lockCosts } from '../harness/stats/lock-costs.ts';
import { scaleResult, tempDir } from '../harness/test-support/index.ts';
import { type GilbenchApp, openApp } from './app.ts';
import { nestedDeeperThan } from './http/body-checks.ts';
import { seedCopy, storeSnapshot as snapshot } from './store/test-backend.ts';
import { fixtureHistory, fixtureMachine, onRelease, type Seed, seedDatabase } from './test-support/index.ts';

const { dir, remove: cleanup } = tempDir();
let seed: Seed;
beforeAll(async () => {
  seed = await seedDatabase(`${dir}/seed.db`);
});
afterAll(cleanup);

// On SQLite here, and on PostgreSQL through app.postgres.test.ts.
async function open(opts: Omit<Parameters<typeof openApp>[0], 'db'> = {}): Promise<GilbenchApp> {
  return openApp({ db: await seedCopy(seed.file, dir), ...opts });
}

async function call(
  app: GilbenchApp,
  method: string,
  path: string,
  opts: { token?: string | null; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if ((opts.body !== undefined || opts.raw !== undefined) && !headers['content-type']) {
    headers['content-type'] = 'application/json';
  }
  const response = await app.request(path, {
    method,
    headers,
    body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: text ? JSON.parse(text) : null };
}

describe('bad input: a 4xx with {error, detail}, and the database unchanged', () => {
  type Request = [method: string, path: string, opts: Parameters<typeof call>[3]];
  const cases: Array<{ name: string; status: number; request: (s: Seed) => Request }> = [
    {
      name: 'malformed JSON',
      status: 400,
      request: (s) => ['POST', '/api/v1/runs', { token: s.tokens.admin, raw: '{"schema": "gilbench.run/v1", ' }],
    },
    {
      name: 'not JSON at all',
      status: 415,
      request: (s) => [
        'POST',
        '/api/v1/runs',
        { token: s.tokens.admin, raw: 'schema=1', headers: { 'content-type': 'text/plain' } },
      ],
    },
    {
      name: 'a wrong type',
      status: 400,
      request: (s) => ['POST', '/api/v1/runs', { token: s.tokens.admin, body: { ...s.newRunA, profile: 42 } }],
    },
    {
      name: 'Infinity (1e999 in JSON)',
      status: 400,
      request: (s) => {
        const text = JSON.stringify(s.newRunA).replace(/"wallMs":[0-9.e+-]+/, '"wallMs":1e999');
        return ['POST', '/api/v1/runs', { token: s.tokens.admin, raw: text }];
      },
    },
    {
      name: 'NaN (not JSON: refused as malformed)',
      status: 400,
      request: (s) => {
        const text = JSON.stringify(s.newRunA).replace(/"wallMs":[0-9.e+-]+/, '"wallMs":NaN');
        return ['POST', '/api/v1/runs', { token: s.tokens.admin, raw: text }];
      },
    },
    {
      name: 'a negative time per operation',
      status: 400,
      request: (s) => {
        const doc = structuredClone(s.newRunA);
        doc.results[5]!.samples[3] = -12;
        return ['POST', '/api/v1/runs', { token: s.tokens.admin, body: doc }];
      },
    },
    {
      name: 'finished before it started',
      status: 400,
      request: (s) => [
        'POST',
        '/api/v1/runs',
        { token: s.tokens.admin, body: { ...s.newRunA, finishedAt: '2000-01-01T00:00:00Z' } },
      ],
    },
    {
      name: 'a result in a mode the run does not have',
      status: 400,
      request: (s) => {
        const doc = structuredClone(s.newRunA);
        doc.results.at(-1)!.mode = 'cpython-3.14.0/gil';
        return ['POST', '/api/v1/runs', { token: s.tokens.admin, body: doc }];
      },
    },
    {
      name: 'a body over the 32 MiB limit',
      status: 413,
      request: (s) => [
        'POST',
        '/api/v1/runs',
        { token: s.tokens.admin, raw: `{"pad":"${'x'.repeat(33 * 1024 * 1024)}"}` },
      ],
    },
    {
      name: 'a sample of Infinity (1e999 in JSON)',
      status: 400,
      request: (s) => {
        const text = JSON.stringify(s.newRunA).replace(/"samples":\[[0-9.e+-]+/, '"samples":[1e999');
        return ['POST', '/api/v1/runs', { token: s.tokens.admin, raw: text }];
      },
    },
    {
      name: 'a sample that is a string',
      status: 400,
      request: (s) => {
        const doc = structuredClone(s.newRunA) as unknown as { results: Array<{ samples: unknown[] }> };
        doc.results[2]!.samples[0] = '12';
        return ['POST', '/api/v1/runs', { token: s.tokens.admin, body: doc }];
      },
    },
    {
      name: 'a body over the 32 MiB limit by its Content-Length (refused before it is read)',
      status: 413,
      request: (s) => [
        'POST',
        '/api/v1/runs',
        { token: s.tokens.admin, raw: '{}', headers: { 'content-length': String(33 * 1024 * 1024) } },
      ],
    },
    {
      name: 'machine.details nested 100 levels deep (arrays and objects)',
      status: 400,
      request: (s) => {
        let deep: unknown = 1;
        for (let i = 0; i < 100; i++) deep = i % 2 ? [deep] : { d: deep };
        const doc = { ...s.newRunA, machine: { ...s.newRunA.machine, details: { deep } } };
        return ['POST', '/api/v1/runs', { token: s.tokens.admin, body: doc }];
      },
    },
    {
      name: 'a small route with a big body',
      status: 413,
      request: (s) => ['POST', '/api/v1/annotations', { token: s.tokens.admin, body: { text: 'x'.repeat(100_000) } }],
    },
    {
      name: 'an unknown run',
      status: 404,
      request: (s) => ['GET', '/api/v1/runs/6f1f3c1e-3b5c-4c4e-9a55-4d0c9a8b7e21', { token: s.tokens.admin }],
    },
    {
      name: 'an unknown series',
      status: 404,
      request: (s) => ['GET', '/api/v1/series/999999/history', { token: s.tokens.admin }],
    },
    {
      name: 'a run id that is not a uuid',
      status: 400,
      request: (s) => ['GET', '/api/v1/runs/not-a-uuid', { token: s.tokens.admin }],
    },
    {
      name: 'an unknown regression to patch',
      status: 404,
      request: (s) => ['PATCH', '/api/v1/regressions/999999', { token: s.tokens.admin, body: { status: 'fixed' } }],
    },
    {
      name: 'a status that does not exist',
      status: 400,
      request: (s) => [
        'PATCH',
        `/api/v1/regressions/${s.regressionId}`,
        { token: s.tokens.admin, body: { status: 'wontfix' } },
      ],
    },
    {
      name: 'an annotation on an unknown run',
      status: 422,
      request: (s) => [
        'POST',
        '/api/v1/annotations',
        { token: s.tokens.admin, body: { text: 'x', runId: '6f1f3c1e-3b5c-4c4e-9a55-4d0c9a8b7e21' } },
      ],
    },
    {
      name: 'a cron expression that is not one',
      status: 400,
      request: (s) => [
        'POST',
        '/api/v1/schedules',
        { token: s.tokens.admin, body: { name: 'x', cron: '61 * * * *', suites: ['a'], modes: ['gil'] } },
      ],
    },
    {
      name: 'a job whose runtime is no runtime selector',
      status: 400,
      request: (s) => [
        'POST',
        '/api/v1/jobs',
        { token: s.tokens.admin, body: { suites: ['calls'], modes: ['gil'], runtime: 'latest' } },
      ],
    },
    {
      name: 'a schedule whose runtime is no runtime selector',
      status: 400,
      request: (s) => [
        'POST',
        '/api/v1/schedules',
        {
          token: s.tokens.admin,
          body: { name: 'x', cron: '0 3 * * *', suites: ['a'], modes: ['gil'], runtime: 'python3.13' },
        },
      ],
    },
    {
      name: 'a wrong token',
      status: 401,
      request: (s) => ['POST', '/api/v1/runs', { token: `${s.tokens.admin.slice(0, -2)}xx`, body: s.newRunA }],
    },
    {
      name: 'a malformed Authorization header',
      status: 401,
      request: (s) => ['GET', '/api/v1/machines', { headers: { authorization: `Token ${s.tokens.admin}` } }],
    },
    {
      name: 'the wrong role',
      status: 403,
      request: (s) => ['POST', '/api/v1/runs', { token: s.tokens.enroll, body: s.newRunA }],
    },
    {
      name: "an agent uploading another machine's run",
      status: 403,
      request: (s) => ['POST', '/api/v1/runs', { token: s.tokens.agentB, body: s.newRunA }],
    },
    {
      name: 'a run id stored for another machine',
      status: 409,
      request: (s) => ['POST', '/api/v1/runs', { token: s.tokens.admin, body: { ...s.newRunA, id: s.runB.id } }],
    },
    {
      name: 'completing a job with a run that was never uploaded',
      status: 422,
      request: (s) => [
        'POST',
        `/api/v1/jobs/${s.heldJobId}/complete`,
        { token: s.tokens.agentA, body: { runId: s.newRunA.id } },
      ],
    },
    {
      name: 'completing a job with another run of the same machine (made for no job)',
      status: 422,
      request: (s) => [
        'POST',
        `/api/v1/jobs/${s.heldJobId}/complete`,
        { token: s.tokens.agentA, body: { runId: s.runsA[0]!.id } },
      ],
    },
    {
      name: 'a job the agent never held',
      status: 403,
      request: (s) => [
        'POST',
        `/api/v1/jobs/${s.heldJobId}/progress`,
        { token: s.tokens.agentB, body: { done: 1, total: 2 } },
      ],
    },
    {
      name: 'an unknown route',
      status: 404,
      request: (s) => ['GET', '/api/v1/nothing-here', { token: s.tokens.admin }],
    },
  ];

  for (const c of cases) {
    it(`${c.name}: ${c.status}`, async () => {
      const app = await open();
      try {
        const before = await snapshot(app.repo.store);
        const [method, path, opts] = c.request(seed);
        const response = await call(app, method, path, opts);
        expect(response.status, response.text.slice(0, 300)).toBe(c.status);
        expect(response.json).toEqual({ error: expect.any(String), detail: expect.any(String) });
        expect(response.text).not.toMatch(/at .*\.ts:\d+/); // no stack trace
        expect(await snapshot(app.repo.store)).toEqual(before);
      } finally {
        await app.close();
      }
    });
  }

  it('names what is wrong, and where', async () => {
    const app = await open();
    const doc = structuredClone(seed.newRunA);
    doc.results[5]!.samples[3] = -12;
    const { json } = await call(app, 'POST', '/api/v1/runs', { token: seed.tokens.admin, body: doc });
    expect(json.detail).toContain('body.results[5].samples[3]');
    await app.close();
  });

  it('hides a server error behind a reference, without stack or token', async () => {
    const lines: string[] = [];
    const app = await open({ log: (line) => lines.push(line) });
    // Services whose store fails like a broken disk would.
    app.repo.listMachines = async () => {
      throw new Error(`disk I/O error near ${seed.tokens.admin}`);
    };
    const { status, json, text } = await call(app, 'GET', '/api/v1/machines', { token: seed.tokens.admin });
    expect(status).toBe(500);
    expect(json.error).toBe('internal');
    expect(text).not.toContain(seed.tokens.admin);
    expect(text).not.toContain('disk I/O');
    const reference = /reference ([0-9a-f]+)/.exec(json.detail)![1]!;
    expect(lines.join('\n')).toContain(reference);
    await app.close();
  });

  it('slows down guessing: failed authentications are rate-limited per address', async () => {
    const app = await open({ rateLimits: { authFailures: { capacity: 3, refillPerSecond: 0.001 } } });
    const bad = `gb_${'A'.repeat(43)}`;
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await call(app, 'GET', '/api/v1/machines', { token: bad })).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    // Only failures are refused: a valid token from the same address still gets in, and guesses still wait.
    expect((await call(app, 'GET', '/api/v1/machines', { token: seed.tokens.admin })).status).toBe(200);
    expect((await call(app, 'GET', '/api/v1/machines', { token: bad })).status).toBe(429);
    await app.close();
  });

  it('rate-limits enrollment per address', async () => {
    const app = await open({ rateLimits: { enroll: { capacity: 2, refillPerSecond: 0.001 } } });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const machine = fixtureMachine(500 + i);
      statuses.push(
        (await call(app, 'POST', '/api/v1/agents/enroll', { token: seed.tokens.enroll, body: { machine } })).status,
      );
    }
    expect(statuses).toEqual([201, 201, 429]);
    await app.close();
  });
});

describe('ingest', () => {
  it('stores a run once: a repeat returns the stored run and writes nothing', async () => {
    const app = await open();
    const first = await call(app, 'POST', '/api/v1/runs', { token: seed.tokens.agentA, body: seed.newRunA });
    expect(first.status).toBe(201);
    expect(first.json.created).toBe(true);
    expect(first.headers.get('location')).toBe(`/api/v1/runs/${seed.newRunA.id}`);
    const after = await snapshot(app.repo.store);
    const again = await call(app, 'POST', '/api/v1/runs', { token: seed.tokens.agentA, body: seed.newRunA });
    expect(again.status).toBe(200);
    expect(again.json.created).toBe(false);
    expect(again.json.run).toEqual(first.json.run);
    expect(await snapshot(app.repo.store)).toEqual(after);
    await app.close();
  });

  it('gives back the document that was uploaded, samples and all', async () => {
    const app = await open();
    await call(app, 'POST', '/api/v1/runs', { token: seed.tokens.admin, body: seed.newRunA });
    const { json } = await call(app, 'GET', `/api/v1/runs/${seed.newRunA.id}/document`, { token: seed.tokens.admin });
    expect(RunDocument.parse(json)).toEqual(RunDocument.parse(seed.newRunA));
    const detail = await call(app, 'GET', `/api/v1/runs/${seed.newRunA.id}`, { token: seed.tokens.admin });
    expect(detail.json.run.results[0].samples).toBeUndefined();
    const withSamples = await call(app, 'GET', `/api/v1/runs/${seed.newRunA.id}?samples=1`, {
      token: seed.tokens.admin,
    });
    expect(withSamples.json.run.results[0].samples).toEqual(seed.newRunA.results[0]!.samples);
    await app.close();
  });

  it('finds a planted regression on the second run after it, and an improvement too', async () => {
    const { dir: d2, remove: c2 } = tempDir();
    const found: number[] = [];
    const app = await openApp({ db: `${d2}/ingest.db`, onChange: (r) => found.push(r.id) });
    try {
      const { token } = await app.repo.createToken({ role: 'admin' }, Date.now());
      const machine = fixtureMachine(7);
      const nogilNbody = (c: { suite: string; benchmark: string; mode: string }) =>
        c.benchmark === 'nbody' && c.mode.endsWith('/nogil');
      const docs = fixtureHistory({ machine, runs: 32, step: { at: 30, factor: 1.1, match: nogilNbody } });
      const regressionsAt: number[] = [];
      for (const [i, doc] of docs.entries()) {
        const { status, json } = await call(app, 'POST', '/api/v1/runs', { token, body: doc });
        expect(status).toBe(201);
        if (json.regressions.length) regressionsAt.push(i);
        for (const r of json.regressions) {
          expect(r.benchmark).toBe('nbody');
          expect(r.modeId).toMatch(/\/nogil$/);
          expect(r.kind).toBe('regression');
          expect(r.runId).toBe(docs[30]!.id);
          expect(r.previousRunId).toBe(docs[29]!.id);
          expect(r.changeCiLow).toBeLessThan(0.1);
          expect(r.changeCiHigh).toBeGreaterThan(0.1);
        }
      }
      expect(regressionsAt).toEqual([31]);
      expect(found).toHaveLength(1);
      const list = await call(app, 'GET', '/api/v1/regressions?status=new', { token });
      expect(list.json.regressions).toHaveLength(1);
      const machines = await call(app, 'GET', '/api/v1/machines', { token });
      expect(machines.json.machines[0].openRegressions).toBe(1);

      // Acknowledged: the series is re-baselined at the change; the new level is normal from then on.
      const id = list.json.regressions[0].id;
      const acked = await call(app, 'PATCH', `/api/v1/regressions/${id}`, {
        token,
        body: { status: 'acknowledged', note: 'new allocator, expected' },
      });
      expect(acked.json.regression.status).toBe('acknowledged');
      expect(acked.json.regression.note).toBe('new allocator, expected');
      const series = await call(app, 'GET', `/api/v1/series/${acked.json.regression.seriesId}`, { token });
      expect(series.json.series.baselineFrom).toBe(Date.parse(docs[30]!.startedAt));

      // The fix lands later: an improvement, measured against the new baseline.
      const later = fixtureHistory({
        machine,
        runs: 12,
        seed: 9,
        end: new Date(Date.parse(docs.at(-1)!.startedAt) + 12 * 86_400_000),
      }).map((doc, i) => (i < 10 ? withFactor(doc, nogilNbody, 1.1) : doc));
      const changes: Array<{ kind: string; runId: string; seriesId: number }> = [];
      for (const doc of later) {
        const { json } = await call(app, 'POST', '/api/v1/runs', { token, body: doc });
        changes.push(...json.regressions);
      }
      // Other series may raise the odd false alert (about 0.5 per 1,000 runs; these are 63 series
      // x 44 runs); the planted one must show exactly its fix.
      const planted = changes.filter((r) => r.seriesId === acked.json.regression.seriesId);
      expect(planted.map((r) => [r.kind, r.runId])).toEqual([['improvement', later[10]!.id]]);
    } finally {
      await app.close();
      c2();
    }
  });
});

/** The document with matching results' samples scaled (the level moved by `factor`). */
function withFactor(
  doc: RunDocument,
  match: (c: { suite: string; benchmark: string; mode: string }) => boolean,
  factor: number,
) {
  return {
    ...doc,
    results: doc.results.map((r) => (match(r) ? scaleResult(r, factor, { loopCost: 'keep' }) : r)),
  };
}

describe('reads', () => {
  let app: GilbenchApp;
  beforeAll(async () => {
    app = await open({ public: true });
  });
  afterAll(() => app.close());

  it('opens reads to anyone with --public, and nothing else', async () => {
    expect((await call(app, 'GET', '/api/v1/machines')).status).toBe(200);
    expect((await call(app, 'GET', '/api/v1/jobs')).status).toBe(401);
    expect((await call(app, 'POST', '/api/v1/annotations', { body: { text: 'x', at: 1 } })).status).toBe(401);
    expect((await call(app, 'GET', '/api/v1/session')).json).toEqual({ public: true, role: null, machineId: null });
  });

  it('lists machines with their latest run, last contact and labels', async () => {
    const { json } = await call(app, 'GET', '/api/v1/machines');
    const a = json.machines.find((m: { id: number }) => m.id === seed.machineA.id);
    expect(a.latestRun.id).toBe(seed.runsA.at(-1)!.id);
    expect(a.runCount).toBe(3);
    expect(a.labels).toEqual(['nightly']);
    expect(a.cpu.usableCores).toBe(16);
  });

  it("draws a series' history with its changes and notes, the points as columns", async () => {
    const { json } = await call(app, 'GET', `/api/v1/series/${seed.seriesId}/history`);
    expect(json.points.runId).toEqual(seed.runsA.map((r) => r.id));
    const first = Object.fromEntries(Object.entries(json.points).map(([k, v]) => [k, (v as unknown[])[0]]));
    expect(first).toEqual({
      runId: seed.runsA[0]!.id,
      at: Date.parse(seed.runsA[0]!.startedAt),
      status: 'ok',
      n: expect.any(Number),
      median: expect.any(Number),
      ciLow: expect.any(Number),
      ciHigh: expect.any(Number),
    });
    expect(json.regressions.map((r: { id: number }) => r.id)).toEqual([seed.regressionId]);
    expect(json.annotations.map((a: { text: string }) => a.text)).toEqual(['kernel upgrade']);
    const limited = await call(app, 'GET', `/api/v1/series/${seed.seriesId}/history?limit=2`);
    expect(limited.json.points.runId).toEqual(seed.runsA.slice(1).map((r) => r.id));
  });

  it('sends the same points, to the last digit, as the services read them one by one', async () => {
    const ranges = [{}, { limit: 2 }, { from: Date.parse(seed.runsA[1]!.startedAt) }, { to: 0 }];
    for (const range of ranges) {
      const query = new URLSearchParams(
        Object.entries(range).map(([k, v]): [string, string] => [k, String(v)]),
      ).toString();
      const { json } = await call(app, 'GET', `/api/v1/series/${seed.seriesId}/history?${query}`);
      const view = (await app.repo.seriesHistory(seed.seriesId, range))!;
      const columns = Object.fromEntries(
        (['runId', 'at', 'status', 'n', 'median', 'ciLow', 'ciHigh'] as const).map((k) => [
          k,
          view.points.map((p) => p[k]),
        ]),
      );
      expect(json.points).toStrictEqual(columns);
      expect(json.series).toEqual(view.series);
    }
  });

  it('finds a series by machine, suite, benchmark, case and mode', async () => {
    const { json } = await call(
      app,
      'GET',
      `/api/v1/series?machine=${seed.machineA.id}&suite=locks&benchmark=dict-read&case=${encodeURIComponent('lock=rlock,threads=4,writer=false')}&mode=nogil`,
    );
    expect(json.series).toHaveLength(1);
    expect(json.series[0]).toMatchObject({ caseKey: 'lock=rlock,threads=4,writer=false', mode: 'nogil', points: 3 });
  });

  it('compares two modes of a run with ratios, CIs and geometric means', async () => {
    const { json } = await call(app, 'GET', `/api/v1/runs/${seed.runsA[0]!.id}/compare?base=gil&other=nogil`);
    expect(json.base.mode.mode).toBe('gil');
    expect(json.other.mode.mode).toBe('nogil');
    expect(json.rows).toHaveLength(21);
    const nbody = json.rows.find((r: { benchmark: string }) => r.benchmark === 'nbody');
    expect(nbody.ratio).toBeGreaterThan(1); // the free-threaded build's single-thread cost, planted by the fixture
    expect(nbody.ciLow).toBeLessThan(nbody.ratio);
    expect(nbody.ciHigh).toBeGreaterThan(nbody.ratio);
    expect(json.suites.map((s: { suite: string }) => s.suite)).toEqual(['single-thread', 'scaling', 'calls', 'locks']);
    expect(json.geometricMean.count).toBe(21);
  });

  it('compares one mode in two runs', async () => {
    const { json } = await call(
      app,
      'GET',
      `/api/v1/compare?base=${seed.runsA[0]!.id}&other=${seed.runsA[1]!.id}&mode=cpython-3.13.5t/nogil`,
    );
    expect(json.rows).toHaveLength(21);
    // Same machine, no planted change: the runs differ by noise only.
    expect(json.geometricMean.value).toBeGreaterThan(0.95);
    expect(json.geometricMean.value).toBeLessThan(1.05);
    const missing = await call(
      app,
      'GET',
      `/api/v1/compare?base=${seed.runsA[0]!.id}&other=${seed.runsA[1]!.id}&mode=pypy/jit`,
    );
    expect(missing.status).toBe(422);
    expect(json.runtimeChange).toBeNull();
  });

  it('says when the two runs compared ran on different releases', async () => {
    const own = await open();
    try {
      const later = onRelease(seed.newRunA, '3.13.15');
      expect((await call(own, 'POST', '/api/v1/runs', { token: seed.tokens.admin, body: later })).status).toBe(201);
      const { status, json } = await call(
        own,
        'GET',
        `/api/v1/compare?base=${seed.runsA[1]!.id}&other=${later.id}&mode=nogil`,
        { token: seed.tokens.admin },
      );
      expect(status).toBe(200);
      expect(json.runtimeChange).toEqual({ from: 'cpython-3.13.5t/nogil', to: 'cpython-3.13.15t/nogil' });
      expect(json.rows.length).toBeGreaterThan(0);
      const within = await call(own, 'GET', `/api/v1/runs/${later.id}/compare?other=nogil`, {
        token: seed.tokens.admin,
      });
      expect(within.json.runtimeChange).toBeNull();
    } finally {
      await own.close();
    }
  });

  it('draws scaling curves: N*T(1)/T(N) per workload and mode', async () => {
    const { json } = await call(app, 'GET', `/api/v1/runs/${seed.runsA[0]!.id}/scaling`);
    const curve = (benchmark: string, mode: string) =>
      json.curves.find((c: { benchmark: string; mode: string }) => c.benchmark === benchmark && c.mode.endsWith(mode));
    const nogil = curve('independent-arith', '/nogil');
    const gil = curve('independent-arith', '/gil');
    expect(nogil.points.map((p: { threads: number }) => p.threads)).toEqual([1, 2, 4, 8]);
    // The fixture serialises threads under the GIL and nearly not without it.
    expect(gil.points.at(-1).speedup).toBeLessThan(1.5);
    expect(nogil.points.at(-1).speedup).toBeGreaterThan(5);
  });

  it("states a run's lock costs against the lock-free read, with CIs, as lockCosts computes them", async () => {
    const { status, json } = await call(app, 'GET', `/api/v1/runs/${seed.runsA[0]!.id}/locks`);
    expect(status).toBe(200);
    const { json: detail } = await call(app, 'GET', `/api/v1/runs/${seed.runsA[0]!.id}?samples=1`);
    expect(json.costs).toEqual(JSON.parse(JSON.stringify(lockCosts(detail.run.results))));
    // The fixture's locks: Lock and RLock at 4 threads against the lock-free read, per mode.
    expect(json.costs.length).toBeGreaterThan(0);
    for (const cost of json.costs) {
      expect(['lock', 'rlock']).toContain(cost.lock);
      expect(cost.ciLow).toBeLessThanOrEqual(cost.ratio);
      expect(cost.ciHigh).toBeGreaterThanOrEqual(cost.ratio);
    }
    expect((await call(app, 'GET', '/api/v1/runs/00000000-0000-4000-8000-000000000000/locks')).status).toBe(404);
  });

  it('describes itself in OpenAPI, every route included', async () => {
    const { json } = await call(app, 'GET', '/api/v1/openapi.json');
    expect(json.openapi).toBe('3.1.0');
    expect(Object.keys(json.paths)).toContain('/api/v1/series/{id}/history');
    expect(
      json.paths['/api/v1/runs'].post.requestBody.content['application/json'].schema.properties.results,
    ).toBeTruthy();
  });

  it('sends safe headers', async () => {
    const { headers } = await call(app, 'GET', '/api/v1/machines');
    expect(headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(headers.get('cache-control')).toBe('no-store');
  });
});

describe('agents and jobs', () => {
  it('enrolls, heartbeats, claims under a lease, reports progress, uploads and completes', async () => {
    // The seed's clock, so the seed's held job is still under its lease.
    const app = await open({ now: () => new Date('2025-06-02T12:01:00Z') });
    try {
      const machine = fixtureMachine(201, ['nightly', 'big']);
      const enrolled = await call(app, 'POST', '/api/v1/agents/enroll', {
        token: seed.tokens.enroll,
        body: { machine },
      });
      expect(enrolled.status).toBe(201);
      const agent = enrolled.json.token as string;
      // Declared labels grant nothing until an admin accepts them (issue 14).
      await call(app, 'PATCH', `/api/v1/machines/${enrolled.json.machineId}`, {
        token: seed.tokens.admin,
        body: { accept: ['nightly', 'big'] },
      });
      // The enrollment token cannot act as the agent.
      expect((await call(app, 'POST', '/api/v1/jobs/claim', { token: seed.tokens.enroll, body: {} })).status).toBe(403);

      const job = await call(app, 'POST', '/api/v1/jobs', {
        token: seed.tokens.admin,
        body: { suites: ['calls'], modes: ['nogil'], labels: ['big'] },
      });
      expect(
        (await call(app, 'POST', '/api/v1/agents/heartbeat', { token: agent, body: { status: 'idle', machine } }))
          .status,
      ).toBe(200);
      // Older queued jobs with labels this machine lacks are skipped; the seed's label-free job comes first.
      const first = await call(app, 'POST', '/api/v1/jobs/claim', { token: agent, body: { leaseSeconds: 60 } });
      expect(first.json.job.id).toBe(seed.queuedJobId);
      const claimed = await call(app, 'POST', '/api/v1/jobs/claim', { token: agent, body: { leaseSeconds: 60 } });
      expect(claimed.json.job.id).toBe(job.json.job.id);
      expect(claimed.json.job.status).toBe('running');
      expect((await call(app, 'POST', '/api/v1/jobs/claim', { token: agent, body: {} })).json.job).toBeNull();

      const progress = await call(app, 'POST', `/api/v1/jobs/${job.json.job.id}/progress`, {
        token: agent,
        body: { done: 2, total: 5, message: 'calls/positional[arity=2] nogil' },
      });
      expect(progress.json.job.progress).toMatchObject({ done: 2, total: 5 });

      const run = fixtureHistory({ machine, runs: 1, seed: 77 })[0]!;
      expect(
        (await call(app, 'POST', '/api/v1/runs', { token: agent, body: { ...run, jobId: String(job.json.job.id) } }))
          .status,
      ).toBe(201);
      const done = await call(app, 'POST', `/api/v1/jobs/${job.json.job.id}/complete`, {
        token: agent,
        body: { runId: run.id },
      });
      expect(done.json.job).toMatchObject({ status: 'completed', runId: run.id });
      // Finished is finished.
      expect(
        (await call(app, 'POST', `/api/v1/jobs/${job.json.job.id}/fail`, { token: agent, body: { error: 'late' } }))
          .status,
      ).toBe(409);
    } finally {
      await app.close();
    }
  });

  it("keeps an admin's labels through the agent's heartbeats and uploads; what it declares grants nothing", async () => {
    const app = await open({ now: () => new Date('2025-06-02T12:01:00Z') });
    try {
      const machine = fixtureMachine(202, ['x86']);
      const enrolled = await call(app, 'POST', '/api/v1/agents/enroll', {
        token: seed.tokens.enroll,
        body: { machine },
      });
      const agent = enrolled.json.token as string;
      const id = enrolled.json.machine.id as number;
      const patched = await call(app, 'PATCH', `/api/v1/machines/${id}`, {
        token: seed.tokens.admin,
        body: { labels: ['x86', 'big'] },
      });
      expect(patched.json.machine.labels).toEqual(['x86', 'big']);
      // The agent, which only knows of x86, reports in twice and uploads a run.
      const heartbeat = () =>
        call(app, 'POST', '/api/v1/agents/heartbeat', { token: agent, body: { status: 'idle', machine } });
      expect((await heartbeat()).status).toBe(200);
      expect((await heartbeat()).status).toBe(200);
      const run = fixtureHistory({ machine, runs: 1, seed: 78 })[0]!;
      expect((await call(app, 'POST', '/api/v1/runs', { token: agent, body: run })).status).toBe(201);
      const listed = (await call(app, 'GET', '/api/v1/machines', { token: seed.tokens.admin })).json.machines.find(
        (m: { id: number }) => m.id === id,
      );
      expect([...listed.labels].sort()).toEqual(['big', 'x86']);
      // A label the agent declares later is shown as declared, and not granted (issue 14).
      const more = { ...machine, labels: ['x86', 'gpu'] };
      await call(app, 'POST', '/api/v1/agents/heartbeat', { token: agent, body: { status: 'idle', machine: more } });
      const after = (await call(app, 'GET', '/api/v1/machines', { token: seed.tokens.admin })).json.machines.find(
        (m: { id: number }) => m.id === id,
      );
      expect([...after.labels].sort()).toEqual(['big', 'x86']);
      expect([...after.declaredLabels].sort()).toEqual(['gpu', 'x86']);
      // A job for "big" reaches the agent even though the agent's claim names only its own labels.
      const job = await call(app, 'POST', '/api/v1/jobs', {
        token: seed.tokens.admin,
        body: { suites: ['calls'], modes: ['nogil'], labels: ['big'], machineId: id },
      });
      const claim = async () =>
        (await call(app, 'POST', '/api/v1/jobs/claim', { token: agent, body: { labels: ['x86'] } })).json.job;
      expect((await claim()).id).toBe(seed.queuedJobId); // the seed's older label-free job comes first
      expect((await claim()).id).toBe(job.json.job.id);
    } finally {
      await app.close();
    }
  });

  it('returns a job whose lease expired to the queue, and tells the old holder', async () => {
    let clock = Date.parse('2025-06-02T12:00:00Z');
    const app = await open({ now: () => new Date(clock) });
    try {
      const claimA = await call(app, 'POST', '/api/v1/jobs/claim', {
        token: seed.tokens.agentA,
        body: { leaseSeconds: 60 },
      });
      const id = claimA.json.job.id;
      clock += 30_000;
      // Progress renews the lease: 30 s + 60 s later it would have run out without it.
      await call(app, 'POST', `/api/v1/jobs/${id}/progress`, {
        token: seed.tokens.agentA,
        body: { done: 1, total: 3 },
      });
      clock += 45_000;
      expect(
        (await call(app, 'POST', '/api/v1/jobs/claim', { token: seed.tokens.agentB, body: {} })).json.job,
      ).toBeNull();
      clock += 20_000;
      const claimB = await call(app, 'POST', '/api/v1/jobs/claim', { token: seed.tokens.agentB, body: {} });
      expect(claimB.json.job).toMatchObject({ id, status: 'running', claimedBy: seed.machineB.id, attempts: 2 });
      const late = await call(app, 'POST', `/api/v1/jobs/${id}/progress`, {
        token: seed.tokens.agentA,
        body: { done: 2, total: 3 },
      });
      expect(late.status).toBe(409);
      expect(late.json.detail).toMatch(/lease expired/);
    } finally {
      await app.close();
    }
  });
});

describe('nestedDeeperThan', () => {
  it.each<[unknown, number, boolean]>([
    [1, 0, false],
    [{}, 1, false],
    [{}, 0, true],
    [[1, 2, 3], 1, false],
    [{ a: [1, { b: 2 }] }, 2, true],
    [{ a: [1, { b: 2 }] }, 3, false],
    [[[[]]], 2, true],
    [[[[]]], 3, false],
    [{ samples: new Array(1000).fill(1.5), x: [null, 'a', [0]] }, 2, true],
  ])('%j deeper than %i: %s', (value, limit, expected) => {
    expect(nestedDeeperThan(value, limit)).toBe(expected);
  });
});
