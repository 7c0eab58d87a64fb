/**
 * No single read stalls the server (issue #13, as tried): a run of 2 results
 * of 100,000 samples each is compared in a worker thread, so `/health` sent
 * meanwhile answers first; the answer is computed once and sent as immutable
 * with a strong ETag; a run over the per-run limits gets a 413 naming the limit.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunDocument } from '../../harness/schema.ts';
import { describeAfterLoopCost } from '../../harness/stats/describe.ts';
import { createRng, normalDeviate } from '../../harness/stats/prng.ts';
import { tempDir } from '../../harness/test-support/temp.ts';
import { RUN_LIMITS } from '../contract/run-document.ts';
import {
  api,
  FIXTURE_CASES,
  FIXTURE_MODES,
  type FixtureCase,
  fixtureMachine,
  fixtureRun,
  killStarted,
  type ServerProcess,
  startGilbench,
} from '../test-support/index.ts';

const { dir, remove } = tempDir('gilbench-stall-');
const machine = fixtureMachine(61);
let server: ServerProcess;
let agentToken: string;

/** A run of `cases` cases (the fixture's first, or those given) in gil and nogil with `samples` samples per result. */
function bigRun(seed: number, cases: number | readonly FixtureCase[], samples: number): RunDocument {
  const doc = fixtureRun({
    machine,
    seed,
    startedAt: new Date(Date.UTC(2025, 5, 1, seed % 24)),
    cases: typeof cases === 'number' ? FIXTURE_CASES.slice(0, cases) : cases,
    modes: FIXTURE_MODES.filter((m) => m.mode === 'gil' || m.mode === 'nogil'),
  });
  const next = createRng(seed);
  return {
    ...doc,
    results: doc.results.map((r) => {
      const level = r.mode.endsWith('/gil') ? 1000 : 1300;
      const values = Array.from({ length: samples }, () => level * Math.exp(0.02 * normalDeviate(next)) + r.loopCostNs);
      return { ...r, samples: values, stats: describeAfterLoopCost(values, r.loopCostNs) };
    }),
  };
}

beforeAll(async () => {
  server = await startGilbench(join(dir, 'stall.db'), { args: ['--public'] });
  agentToken = (await api(server.url, 'POST', '/agents/enroll', { machine })).token;
}, 90_000);
afterAll(async () => {
  await killStarted();
  remove();
});

/**
 * Asks `path` and, 200 ms later (while it is computed), `/health`: the order they answered in,
 * health's status and the heavy read's answer.
 */
async function healthDuring(path: string, label: string) {
  const order: string[] = [];
  const heavy = fetch(`${server.url}${path}`).then(async (r) => {
    order.push(label);
    return { status: r.status, headers: r.headers, body: await r.text() };
  });
  await new Promise((r) => setTimeout(r, 200));
  const health = await fetch(`${server.url}/api/v1/health`).then((r) => {
    order.push('health');
    return r.status;
  });
  return { order, health, answer: await heavy };
}

describe('one heavy read', () => {
  it('a compare over 2 x 100,000 samples runs off the loop: /health answers first', async () => {
    const doc = bigRun(1, 1, 100_000);
    await api(server.url, 'POST', '/runs', doc, agentToken);
    // The compare first, then health while it is computed.
    const { order, health, answer } = await healthDuring(`/api/v1/runs/${doc.id}/compare?other=nogil`, 'compare');
    expect(health).toBe(200);
    expect(answer.status, answer.body).toBe(200);
    expect(order).toEqual(['health', 'compare']);
    expect(JSON.parse(answer.body).rows[0].ratio).toBeCloseTo(1.3, 1);

    // Computed once: the same text again with a strong ETag, immutable, and 304 for a client that holds it.
    const etag = answer.headers.get('etag');
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(answer.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const again = await fetch(`${server.url}/api/v1/runs/${doc.id}/compare?other=nogil`);
    expect(again.headers.get('etag')).toBe(etag);
    expect(await again.text()).toBe(answer.body);
    const held = await fetch(`${server.url}/api/v1/runs/${doc.id}/compare?other=nogil`, {
      headers: { 'if-none-match': etag! },
    });
    expect(held.status).toBe(304);
    // What changes stays uncached.
    expect((await fetch(`${server.url}/api/v1/runs`)).headers.get('cache-control')).toBe('no-store');
  }, 120_000);

  it("a run's scaling curves are computed off the loop: /health answers first", async () => {
    // Four workloads at 1, 2, 4 and 8 threads of 500 samples: a bootstrap per point, about 2.6 s
    // here. On the loop (before) that held /health, as a 507-result default-profile run's curves
    // (about 1 s) held it after every such upload (the answers are warmed at ingest).
    const cases = ['a', 'b', 'c', 'd'].flatMap((w) =>
      [1, 2, 4, 8].map((threads) => ({ suite: 'scaling', benchmark: `work-${w}`, params: { threads } })),
    );
    const doc = bigRun(4, cases, 500);
    await api(server.url, 'POST', '/runs', doc, agentToken);
    const { order, health, answer } = await healthDuring(`/api/v1/runs/${doc.id}/scaling`, 'scaling');
    expect(health).toBe(200);
    expect(answer.status, answer.body).toBe(200);
    expect(order).toEqual(['health', 'scaling']);
    expect(JSON.parse(answer.body).curves).toHaveLength(8);
  }, 120_000);

  it('refuses a run over the per-run sample limit with a 413 that says which, and stores nothing', async () => {
    const perResult = 50_000;
    const cases = Math.ceil(RUN_LIMITS.samples / perResult / 2) + 1;
    const doc = bigRun(2, cases, perResult);
    const response = await fetch(`${server.url}/api/v1/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${agentToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(doc),
    });
    const body = (await response.json()) as { error: string; detail: string };
    expect(response.status).toBe(413);
    expect(body.detail).toMatch(/samples in all; a run may have at most 1000000/);
    expect((await fetch(`${server.url}/api/v1/runs/${doc.id}`)).status).toBe(404);
  }, 120_000);
});

describe('HTTP basics', () => {
  it('compresses JSON for a client that accepts brotli or gzip; a compressed ETag still gives 304', async () => {
    const doc = bigRun(3, 4, 200);
    await api(server.url, 'POST', '/runs', doc, agentToken);
    const path = `${server.url}/api/v1/runs/${doc.id}/document`;
    for (const encoding of ['br', 'gzip']) {
      // Node's fetch decodes what it asked for; the header says what came over the wire.
      const r = await fetch(path, { headers: { 'accept-encoding': encoding } });
      expect(r.headers.get('content-encoding')).toBe(encoding);
      expect(((await r.json()) as { id: string }).id).toBe(doc.id);
    }
    const compare = `${server.url}/api/v1/runs/${doc.id}/compare?other=nogil`;
    const first = await fetch(compare, { headers: { 'accept-encoding': 'br' } });
    await first.text();
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/-br"$/);
    const held = await fetch(compare, { headers: { 'accept-encoding': 'br', 'if-none-match': etag } });
    expect(held.status).toBe(304);
  }, 60_000);
});
