/**
 * Every route of the table × every kind of caller, with the status each must
 * get. The routes come from ROUTES, so a new route without an example here
 * fails the first test; the expectations are written out below from the
 * rules in the issue, not computed by the code under test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp } from './app.ts';
import { ROUTES, type RouteDef } from './routes.ts';
import { copyDatabase, type Seed, seedDatabase, tempDir } from './test-support.ts';

type Caller = 'none' | 'enroll' | 'agentOwn' | 'agentOther' | 'admin' | 'public';
const CALLERS: Caller[] = ['none', 'enroll', 'agentOwn', 'agentOther', 'admin', 'public'];

interface Example {
  path: string;
  body?: unknown;
}

/** One request per route that succeeds for a caller allowed to make it. */
const EXAMPLES: Record<string, (s: Seed) => Example> = {
  'GET /api/v1/health': () => ({ path: '/api/v1/health' }),
  'GET /api/v1/openapi.json': () => ({ path: '/api/v1/openapi.json' }),
  'GET /api/v1/session': () => ({ path: '/api/v1/session' }),
  'POST /api/v1/agents/enroll': (s) => ({ path: '/api/v1/agents/enroll', body: { machine: s.newMachine } }),
  'POST /api/v1/agents/heartbeat': (s) => ({
    path: '/api/v1/agents/heartbeat',
    body: { status: 'idle', machineId: s.machineA.id, machine: s.machineA.facts },
  }),
  'GET /api/v1/machines': () => ({ path: '/api/v1/machines' }),
  'GET /api/v1/machines/:id': (s) => ({ path: `/api/v1/machines/${s.machineA.id}` }),
  'PATCH /api/v1/machines/:id': (s) => ({ path: `/api/v1/machines/${s.machineA.id}`, body: { labels: ['x'] } }),
  'GET /api/v1/runs': (s) => ({ path: `/api/v1/runs?machine=${s.machineA.id}&limit=2` }),
  'POST /api/v1/runs': (s) => ({ path: '/api/v1/runs', body: s.newRunA }),
  'GET /api/v1/runs/:id': (s) => ({ path: `/api/v1/runs/${s.runsA[0]!.id}` }),
  'GET /api/v1/runs/:id/document': (s) => ({ path: `/api/v1/runs/${s.runsA[0]!.id}/document` }),
  'DELETE /api/v1/runs/:id': (s) => ({ path: `/api/v1/runs/${s.runB.id}` }),
  'GET /api/v1/runs/:id/compare': (s) => ({ path: `/api/v1/runs/${s.runsA[0]!.id}/compare?other=nogil` }),
  'GET /api/v1/runs/:id/scaling': (s) => ({ path: `/api/v1/runs/${s.runsA[0]!.id}/scaling` }),
  'GET /api/v1/compare': (s) => ({
    path: `/api/v1/compare?base=${s.runsA[0]!.id}&other=${s.runsA[1]!.id}&mode=nogil`,
  }),
  'GET /api/v1/series': (s) => ({ path: `/api/v1/series?machine=${s.machineA.id}&suite=calls` }),
  'GET /api/v1/series/:id': (s) => ({ path: `/api/v1/series/${s.seriesId}` }),
  'GET /api/v1/series/:id/history': (s) => ({ path: `/api/v1/series/${s.seriesId}/history` }),
  'GET /api/v1/regressions': () => ({ path: '/api/v1/regressions?status=new' }),
  'GET /api/v1/regressions/:id': (s) => ({ path: `/api/v1/regressions/${s.regressionId}` }),
  'PATCH /api/v1/regressions/:id': (s) => ({
    path: `/api/v1/regressions/${s.regressionId}`,
    body: { status: 'acknowledged', note: 'expected: new allocator' },
  }),
  'GET /api/v1/annotations': () => ({ path: '/api/v1/annotations' }),
  'POST /api/v1/annotations': (s) => ({
    path: '/api/v1/annotations',
    body: { text: 'switched to 3.14', machineId: s.machineA.id, at: Date.parse('2025-06-01T00:00:00Z') },
  }),
  'PATCH /api/v1/annotations/:id': (s) => ({ path: `/api/v1/annotations/${s.annotationId}`, body: { text: 'edited' } }),
  'DELETE /api/v1/annotations/:id': (s) => ({ path: `/api/v1/annotations/${s.annotationId}` }),
  'GET /api/v1/schedules': () => ({ path: '/api/v1/schedules' }),
  'POST /api/v1/schedules': () => ({
    path: '/api/v1/schedules',
    body: { name: 'weekly', cron: '0 4 * * 0', suites: ['locks'], modes: ['nogil'] },
  }),
  'GET /api/v1/schedules/:id': (s) => ({ path: `/api/v1/schedules/${s.scheduleId}` }),
  'PATCH /api/v1/schedules/:id': (s) => ({ path: `/api/v1/schedules/${s.scheduleId}`, body: { enabled: false } }),
  'DELETE /api/v1/schedules/:id': (s) => ({ path: `/api/v1/schedules/${s.scheduleId}` }),
  'GET /api/v1/jobs': () => ({ path: '/api/v1/jobs?status=running' }),
  'POST /api/v1/jobs': () => ({ path: '/api/v1/jobs', body: { suites: ['calls'], modes: ['gil', 'nogil'] } }),
  'GET /api/v1/jobs/:id': (s) => ({ path: `/api/v1/jobs/${s.heldJobId}` }),
  'POST /api/v1/jobs/claim': (s) => ({
    path: '/api/v1/jobs/claim',
    body: { machineId: s.machineA.id, leaseSeconds: 60 },
  }),
  'POST /api/v1/jobs/:id/progress': (s) => ({
    path: `/api/v1/jobs/${s.heldJobId}/progress`,
    body: { done: 3, total: 10, message: 'calls/positional[arity=2] nogil' },
  }),
  'POST /api/v1/jobs/:id/complete': (s) => ({
    path: `/api/v1/jobs/${s.heldJobId}/complete`,
    body: { runId: s.runsA[2]!.id },
  }),
  'POST /api/v1/jobs/:id/fail': (s) => ({
    path: `/api/v1/jobs/${s.heldJobId}/fail`,
    body: { error: 'worker crashed', requeue: true },
  }),
  'POST /api/v1/jobs/:id/cancel': (s) => ({ path: `/api/v1/jobs/${s.queuedJobId}/cancel` }),
  'GET /api/v1/tokens': () => ({ path: '/api/v1/tokens' }),
  'POST /api/v1/tokens': () => ({ path: '/api/v1/tokens', body: { role: 'enroll', name: 'lab' } }),
  'DELETE /api/v1/tokens/:id': (s) => ({ path: `/api/v1/tokens/${s.enrollTokenId}` }),
};

/**
 * The intended access of every route, written out here and not read from the table, so a
 * route given the wrong access in routes.ts fails. `own`: an agent only for its own machine.
 */
const POLICY: Record<string, RouteDef['access'] | 'agent own'> = {
  'GET /api/v1/health': 'open',
  'GET /api/v1/openapi.json': 'open',
  'GET /api/v1/session': 'open',
  'POST /api/v1/agents/enroll': 'enroll',
  'POST /api/v1/agents/heartbeat': 'agent own',
  'GET /api/v1/machines': 'read',
  'GET /api/v1/machines/:id': 'read',
  'PATCH /api/v1/machines/:id': 'admin',
  'GET /api/v1/runs': 'read',
  'POST /api/v1/runs': 'agent own',
  'GET /api/v1/runs/:id': 'read',
  'GET /api/v1/runs/:id/document': 'read',
  'DELETE /api/v1/runs/:id': 'admin',
  'GET /api/v1/runs/:id/compare': 'read',
  'GET /api/v1/runs/:id/scaling': 'read',
  'GET /api/v1/compare': 'read',
  'GET /api/v1/series': 'read',
  'GET /api/v1/series/:id': 'read',
  'GET /api/v1/series/:id/history': 'read',
  'GET /api/v1/regressions': 'read',
  'GET /api/v1/regressions/:id': 'read',
  'PATCH /api/v1/regressions/:id': 'admin',
  'GET /api/v1/annotations': 'read',
  'POST /api/v1/annotations': 'admin',
  'PATCH /api/v1/annotations/:id': 'admin',
  'DELETE /api/v1/annotations/:id': 'admin',
  'GET /api/v1/schedules': 'operator',
  'POST /api/v1/schedules': 'admin',
  'GET /api/v1/schedules/:id': 'operator',
  'PATCH /api/v1/schedules/:id': 'admin',
  'DELETE /api/v1/schedules/:id': 'admin',
  'GET /api/v1/jobs': 'operator',
  'POST /api/v1/jobs': 'admin',
  'GET /api/v1/jobs/:id': 'operator',
  'POST /api/v1/jobs/claim': 'agent own',
  'POST /api/v1/jobs/:id/progress': 'agent own',
  'POST /api/v1/jobs/:id/complete': 'agent own',
  'POST /api/v1/jobs/:id/fail': 'agent own',
  'POST /api/v1/jobs/:id/cancel': 'admin',
  'GET /api/v1/tokens': 'admin',
  'POST /api/v1/tokens': 'admin',
  'DELETE /api/v1/tokens/:id': 'admin',
};

/** Who may call each kind of route (from the issue: admin everything; agent its own machine; reads need a token unless public). */
const ALLOWED: Record<RouteDef['access'], Caller[]> = {
  open: CALLERS,
  read: ['agentOwn', 'agentOther', 'admin', 'public'],
  operator: ['agentOwn', 'agentOther', 'admin'],
  enroll: ['enroll', 'admin'],
  agent: ['agentOwn', 'agentOther', 'admin'],
  admin: ['admin'],
};

function expectedStatus(route: RouteDef, caller: Caller): number {
  const policy = POLICY[key(route)]!;
  let allowed = ALLOWED[policy === 'agent own' ? 'agent' : policy].includes(caller);
  if (caller === 'agentOther' && policy === 'agent own') allowed = false;
  if (allowed) return route.success;
  return caller === 'none' || caller === 'public' ? 401 : 403;
}

const key = (r: RouteDef) => `${r.method} ${r.path}`;

describe('authorisation matrix', () => {
  const { dir, cleanup } = tempDir();
  let seed: Seed;

  beforeAll(async () => {
    seed = await seedDatabase(`${dir}/seed.db`);
  });
  afterAll(cleanup);

  it('has an example and a policy for every route in the table, and none for routes that do not exist', () => {
    expect(ROUTES.map(key).filter((k) => !EXAMPLES[k] || !POLICY[k])).toEqual([]);
    expect(Object.keys(EXAMPLES).filter((k) => !ROUTES.some((r) => key(r) === k))).toEqual([]);
    expect(Object.keys(POLICY).filter((k) => !ROUTES.some((r) => key(r) === k))).toEqual([]);
  });

  for (const route of ROUTES) {
    it(`${key(route)} (${route.access}${route.machineScoped ? ', own machine' : ''})`, async () => {
      const example = EXAMPLES[key(route)];
      if (!example || !POLICY[key(route)]) return; // reported by the test above
      const got: Record<string, number> = {};
      const want: Record<string, number> = {};
      for (const caller of CALLERS) {
        const app = await openApp({ db: copyDatabase(seed.file, dir), public: caller === 'public' });
        try {
          const { path, body } = example(seed);
          const token = {
            none: null,
            public: null,
            enroll: seed.tokens.enroll,
            agentOwn: seed.tokens.agentA,
            agentOther: seed.tokens.agentB,
            admin: seed.tokens.admin,
          }[caller];
          const headers: Record<string, string> = {};
          if (token) headers.authorization = `Bearer ${token}`;
          if (body !== undefined) headers['content-type'] = 'application/json';
          const response = await app.request(path, {
            method: route.method,
            headers,
            body: body === undefined ? undefined : JSON.stringify(body),
          });
          got[caller] = response.status;
          want[caller] = expectedStatus(route, caller);
          const json = (await response.json()) as Record<string, unknown>;
          if (response.status >= 400) {
            expect(typeof json.error, `${caller}: error code`).toBe('string');
            expect(typeof json.detail, `${caller}: error detail`).toBe('string');
          }
        } finally {
          await app.close();
        }
      }
      expect(got).toEqual(want);
    });
  }
});
