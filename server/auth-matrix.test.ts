/**
 * Every route of the table × every kind of caller, with the status each must
 * get. The routes come from ROUTES, so a new route without an example (test-support/route-examples.ts)
 * fails the first test; the expectations are written out below from the
 * rules in the issue, not computed by the code under test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../harness/test-support/index.ts';
import { type GilbenchApp, openApp } from './app.ts';
import { ROUTES, type RouteDef } from './routes.ts';
import { DEFAULT_MAX_LEASE_SECONDS } from './services/index.ts';
import { copyDatabase, type Seed, seedDatabase } from './test-support/index.ts';
import { EXAMPLES } from './test-support/route-examples.ts';

type Caller = 'none' | 'enroll' | 'agentOwn' | 'agentOther' | 'admin' | 'public';
const CALLERS: Caller[] = ['none', 'enroll', 'agentOwn', 'agentOther', 'admin', 'public'];

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
  'GET /api/v1/machines/:id/trends': 'read',
  'PATCH /api/v1/machines/:id': 'admin',
  'GET /api/v1/enrollments': 'admin',
  'POST /api/v1/enrollments/:id/approve': 'admin',
  'POST /api/v1/enrollments/:id/reject': 'admin',
  'GET /api/v1/runs': 'read',
  'POST /api/v1/runs': 'agent own',
  'GET /api/v1/runs/:id': 'read',
  'GET /api/v1/runs/:id/document': 'read',
  'DELETE /api/v1/runs/:id': 'admin',
  'GET /api/v1/runs/:id/compare': 'read',
  'GET /api/v1/runs/:id/scaling': 'read',
  'GET /api/v1/runs/:id/locks': 'read',
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
  'GET /api/v1/runs/:id/summary.md': 'read',
  'GET /feed.xml': 'read',
  'GET /machines/:id/feed.xml': 'read',
  'GET /badges/regressions.svg': 'read',
  'GET /badges/machines/:id/regressions.svg': 'read',
  'GET /badges/machines/:id/single-thread.svg': 'read',
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
  const { dir, remove: cleanup } = tempDir();
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
          // A feed or a badge answers XML; every error is JSON.
          const text = await response.text();
          if (response.status >= 400) {
            const json = JSON.parse(text) as Record<string, unknown>;
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

/**
 * Rows the route table alone does not show (issue 14): what each caller gets when it enrolls a
 * fingerprint that is enrolled already, grants labels, or asks for a long lease. Each caller on
 * its own copy of the seed; the answers and what they left behind are checked.
 */
describe('authorisation matrix: enrollment of an enrolled fingerprint, label granting, lease caps', () => {
  const { dir, remove: cleanup } = tempDir();
  let seed: Seed;

  beforeAll(async () => {
    seed = await seedDatabase(`${dir}/seed.db`);
  });
  afterAll(cleanup);

  const tokenOf = (caller: Caller) =>
    ({
      none: null,
      public: null,
      enroll: seed.tokens.enroll,
      agentOwn: seed.tokens.agentA,
      agentOther: seed.tokens.agentB,
      admin: seed.tokens.admin,
    })[caller];

  async function call(app: GilbenchApp, token: string | null, method: string, path: string, body?: unknown) {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await app.request(`/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    // biome-ignore lint/suspicious/noExplicitAny: the test reads the fields it asked for
    return { status: response.status, json: (await response.json()) as any };
  }

  async function eachCaller(check: (app: GilbenchApp, caller: Caller) => Promise<number>) {
    const got: Record<string, number> = {};
    for (const caller of CALLERS) {
      const app = await openApp({ db: copyDatabase(seed.file, dir), public: caller === 'public' });
      try {
        got[caller] = await check(app, caller);
      } finally {
        await app.close();
      }
    }
    return got;
  }

  it("enrolling machine A's fingerprint: an enrollment token only asks (202), its own agent re-enrolls, an admin replaces", async () => {
    const got = await eachCaller(async (app, caller) => {
      const facts = { ...seed.machineA.facts, hostname: 'taker', labels: ['nightly', 'gpu'] };
      const answer = await call(app, tokenOf(caller), 'POST', '/agents/enroll', { machine: facts });
      const machine = (await call(app, seed.tokens.admin, 'GET', `/machines/${seed.machineA.id}`)).json.machine;
      const heartbeat = await call(app, seed.tokens.agentA, 'POST', '/agents/heartbeat', {});
      if (answer.status === 202) {
        // Nothing taken: the real agent still works, the machine is as it was, the caller's token waits.
        expect(heartbeat.status).toBe(200);
        expect(machine.hostname).toBe(seed.machineA.facts.hostname);
        expect((await call(app, answer.json.token, 'POST', '/jobs/claim', {})).status).toBe(401);
        expect(answer.json.request).toMatchObject({ status: 'pending', machineId: seed.machineA.id });
      }
      if (answer.status === 201) {
        expect(answer.json.machineId).toBe(seed.machineA.id);
        expect(heartbeat.status).toBe(401);
        expect((await call(app, answer.json.token, 'POST', '/agents/heartbeat', {})).status).toBe(200);
        // Declared labels grant nothing, whoever enrolled.
        expect(machine.labels).toEqual(['nightly']);
      }
      return answer.status;
    });
    expect(got).toEqual({ none: 401, enroll: 202, agentOwn: 201, agentOther: 403, admin: 201, public: 401 });
  });

  it('a declared label grants nothing; only an admin grants it, and then it routes jobs', async () => {
    const got = await eachCaller(async (app, caller) => {
      await call(app, seed.tokens.admin, 'POST', '/jobs', { suites: ['calls'], modes: ['gil'], labels: ['gpu'] });
      const declared = await call(app, seed.tokens.agentA, 'POST', '/agents/heartbeat', {
        machine: { ...seed.machineA.facts, labels: ['nightly', 'gpu'] },
      });
      expect(declared.json.machine).toMatchObject({ labels: ['nightly'] });
      expect(declared.json.machine.declaredLabels).toContain('gpu');
      const claim = () => call(app, seed.tokens.agentA, 'POST', '/jobs/claim', { labels: ['gpu'] });
      // The seed's jobs go (the held one's lease ran out long ago); the gpu job does not, gpu being only declared.
      const taken: string[][] = [];
      for (let job = (await claim()).json.job; job; job = (await claim()).json.job) taken.push(job.labels);
      expect(taken).toHaveLength(2);
      expect(taken.flat()).not.toContain('gpu');
      const grant = await call(app, tokenOf(caller), 'PATCH', `/machines/${seed.machineA.id}`, { accept: ['gpu'] });
      const next = (await claim()).json.job;
      if (grant.status === 200) expect(next?.labels).toEqual(['gpu']);
      else expect(next).toBeNull();
      return grant.status;
    });
    expect(got).toEqual({ none: 401, enroll: 403, agentOwn: 403, agentOther: 403, admin: 200, public: 401 });
  });

  it('a claim asking for a 7-day lease gets the cap, whoever asks', async () => {
    const leases: Record<string, number | null> = {};
    const got = await eachCaller(async (app, caller) => {
      const body = { leaseSeconds: 7 * 86_400, ...(caller === 'admin' ? { machineId: seed.machineA.id } : {}) };
      const answer = await call(app, tokenOf(caller), 'POST', '/jobs/claim', body);
      if (answer.status === 200) leases[caller] = answer.json.job?.leaseSeconds ?? null;
      return answer.status;
    });
    expect(got).toEqual({ none: 401, enroll: 403, agentOwn: 200, agentOther: 200, admin: 200, public: 401 });
    expect(leases).toEqual({
      agentOwn: DEFAULT_MAX_LEASE_SECONDS,
      agentOther: DEFAULT_MAX_LEASE_SECONDS,
      admin: DEFAULT_MAX_LEASE_SECONDS,
    });
  });
});
