/**
 * Uploads go through a bounded queue (issue #13, as tried: "uploads starve
 * readers"): with more uploads at once than the queue holds, the ones past it
 * are answered 503 with `Retry-After` before their body is read, `/health`
 * and reads answer while the queue is busy, and every upload, retried as the
 * agent does, is stored exactly once. Before the queue, every upload was let
 * in at once (no 503), which is how 50 uploaders held `/health` for seconds.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../harness/test-support/temp.ts';
import { openApp } from '../app.ts';
import { FULL, fixtureMachine, fixtureRun } from '../test-support/index.ts';

const { dir, remove } = tempDir('gilbench-ingest-queue-');
const UPLOADS = FULL ? 40 : 12;
let app: Awaited<ReturnType<typeof openApp>>;
let agentToken: string;
const machine = fixtureMachine(63);

beforeAll(async () => {
  app = await openApp({
    db: join(dir, 'queue.db'),
    public: true,
    log: () => {},
    ingest: { concurrency: 1, maxQueue: 2 },
  });
  const { token: admin } = await app.repo.createToken({ role: 'admin', name: 't' }, Date.now());
  const enroll = await app.request('/api/v1/agents/enroll', {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ machine }),
  });
  agentToken = ((await enroll.json()) as { token: string }).token;
}, 60_000);
afterAll(async () => {
  await app.close();
  remove();
});

describe('bounded ingest', () => {
  it('refuses uploads past the queue with 503 + Retry-After, answers reads meanwhile, stores each once after retries', async () => {
    const docs = Array.from({ length: UPLOADS }, (_, i) =>
      fixtureRun({ machine, seed: 100 + i, startedAt: new Date(Date.UTC(2025, 0, 1, i)) }),
    );
    const post = (body: string) =>
      Promise.resolve(
        app.request('/api/v1/runs', {
          method: 'POST',
          headers: { authorization: `Bearer ${agentToken}`, 'content-type': 'application/json' },
          body,
        }),
      );
    const events: string[] = [];
    const bodies = docs.map((d) => JSON.stringify(d));
    const first = bodies.map((b) =>
      post(b).then((r) => {
        events.push(`upload ${r.status}`);
        return r;
      }),
    );
    const health = await app.request('/api/v1/health');
    events.push(`health ${health.status}`);
    const list = await app.request('/api/v1/runs');
    events.push(`read ${list.status}`);
    const answers = await Promise.all(first);

    const refused = answers.filter((r) => r.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
      expect(await r.json()).toMatchObject({ error: 'unavailable' });
    }
    // The reads answered before the queue was through: at most the three it holds were done first.
    const readAt = events.indexOf('read 200');
    expect(events.indexOf('health 200')).toBeGreaterThanOrEqual(0);
    expect(events.slice(0, readAt).filter((e) => e === 'upload 201').length).toBeLessThanOrEqual(3);

    // Retried as the agent does, until stored: every run once.
    const pending = new Set(answers.flatMap((r, i) => (r.status === 503 ? [i] : [])));
    for (let round = 0; pending.size > 0 && round < 50; round++) {
      const again = await Promise.all([...pending].map(async (i) => [i, await post(bodies[i]!)] as const));
      for (const [i, r] of again)
        if (r.status !== 503) {
          expect(r.status).toBe(201);
          pending.delete(i);
        }
    }
    expect(pending.size).toBe(0);
    for (const r of answers.filter((a) => a.status !== 503)) expect(r.status).toBe(201);
    const stored = await app.repo.store.runs.list({ limit: 1000 });
    const ids = stored.map((r) => r.id).sort();
    expect(ids).toEqual(docs.map((d) => d.id).sort());
  }, 120_000);
});
