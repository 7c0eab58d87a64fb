/**
 * The request generator on its own (no server): reproducible from its seed,
 * complete over the route table, and routing as the server does.
 */
import { describe, expect, it } from 'vitest';
import { decideAccess } from '../app.ts';
import { ROUTES } from '../routes.ts';
import { fixtureMachine, fixtureRun } from '../test-support/index.ts';
import {
  FUZZ_KINDS,
  type FuzzContext,
  type FuzzRequest,
  fuzzRequests,
  missingExamples,
  passesValidation,
  routeFor,
} from './fuzz.ts';

const machine = fixtureMachine(1);
const context: FuzzContext = {
  tokens: {
    admin: 'gb_admin-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    enroll: 'gb_enroll-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    agentA: 'gb_agent-a-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    agentB: 'gb_agent-b-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    revoked: 'gb_revoked-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    superseded: 'gb_superseded-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  },
  targets: {
    machineA: 1,
    machineFactsA: machine,
    newMachine: fixtureMachine(2),
    runA: '11111111-1111-4111-8111-111111111111',
    runA2: '22222222-2222-4222-8222-222222222222',
    runB: '33333333-3333-4333-8333-333333333333',
    newRunA: fixtureRun({ machine, seed: 1, startedAt: new Date('2025-06-01T00:00:00Z') }),
    seriesId: 1,
    regressionId: 1,
    annotationId: 1,
    scheduleId: 1,
    heldJobId: 1,
    queuedJobId: 2,
    enrollTokenId: '0123456789abcdef',
    enrollmentRequestId: 1,
  },
};

/** Everything but the bodies' bytes, which can be 10 MB. */
const summary = (r: FuzzRequest) => ({ ...r, body: r.body?.length ?? null });

describe('fuzzRequests', () => {
  it('has an example for every route of the table and none for a route that does not exist', () => {
    expect(missingExamples()).toEqual({ missing: [], unknown: [] });
  });

  it('gives the same requests for the same seed, and others for another seed', () => {
    const a = [...fuzzRequests(context, { seed: 5, count: 300 })].map(summary);
    const b = [...fuzzRequests(context, { seed: 5, count: 300 })].map(summary);
    const c = [...fuzzRequests(context, { seed: 6, count: 300 })].map(summary);
    expect(a).toHaveLength(300);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('reaches every route and uses every kind of request in 2,000', () => {
    const all = [...fuzzRequests(context, { seed: 1, count: 2000 })];
    expect(ROUTES.map((r) => `${r.method} ${r.path}`).filter((k) => !all.some((r) => r.route === k))).toEqual([]);
    expect(FUZZ_KINDS.filter((k) => !all.some((r) => r.kind === k))).toEqual([]);
    expect(all.map((r) => r.index)).toEqual(all.map((_, i) => i));
  });

  it('sends a write whose body passes validation only where it is refused whatever the body', () => {
    const roles: Record<string, 'admin' | 'enroll' | 'agent'> = {
      [context.tokens.admin]: 'admin',
      [context.tokens.enroll]: 'enroll',
      [context.tokens.agentA]: 'agent',
      [context.tokens.agentB]: 'agent',
    };
    let checked = 0;
    for (const r of fuzzRequests(context, { seed: 2, count: 3000 })) {
      if (!r.write || !r.body || !['body-field', 'body-syntax', 'body-deep'].includes(r.kind)) continue;
      const route = routeFor(r.method, r.path)!;
      if (!passesValidation(route, r.body.toString('utf8'))) continue;
      checked++;
      const token = String(r.headers.authorization).replace('Bearer ', '');
      const refusedRole =
        decideAccess(route.access, { tokenId: 'x', role: roles[token]!, machineId: 1 }, false) !== null;
      const noSuchRow = /\/(987654321|a5a5a5a5-0000-4000-8000-00000000dead|ffffffffffffffff)(\/|$)/.test(r.path);
      // An agent token passes enrollment's access check, then is refused (403) for facts not its own machine's.
      const notItsMachine =
        route.path.endsWith('/agents/enroll') &&
        roles[token] === 'agent' &&
        !r.body.toString('utf8').includes(context.targets.machineFactsA.fingerprint);
      expect(refusedRole || noSuchRow || notItsMachine, `#${r.index} ${r.method} ${r.path} as ${roles[token]}`).toBe(
        true,
      );
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('routes a path as the server does: dot segments folded, unknown paths nowhere', () => {
    expect(routeFor('GET', '/api/v1/jobs/%2e%2e/tokens')?.path).toBe('/api/v1/tokens');
    expect(routeFor('POST', '/api/v1/runs/../tokens')?.path).toBe('/api/v1/tokens');
    expect(routeFor('GET', '/api/v1/runs/abc/compare?other=x')?.path).toBe('/api/v1/runs/:id/compare');
    expect(routeFor('HEAD', '/api/v1/health')?.path).toBe('/api/v1/health');
    expect(routeFor('PUT', '/api/v1/runs')).toBeNull();
    expect(routeFor('GET', '/API/v1/runs')).toBeNull();
    expect(routeFor('GET', '/api/v1/runs/a/b')).toBeNull();
  });
});
