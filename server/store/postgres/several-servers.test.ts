/**
 * Several `gilbench server --db postgres://…` processes on one database, as
 * behind a proxy: one history whichever process is asked, a run uploaded to
 * two processes at once stored once, and their schedulers making exactly one
 * job for a due slot between them.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureHistory, fixtureMachine, type ServerProcess, startGilbench } from '../../test-support/index.ts';
import { usePostgresDatabase } from './test/database.ts';

const ADMIN = 'gb_several_servers_admin_0123456789';
const pgdb = usePostgresDatabase();
const servers: ServerProcess[] = [];

async function call(server: ServerProcess, method: string, path: string, token: string, body?: unknown) {
  const response = await fetch(`${server.url}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null, text };
}

beforeAll(async () => {
  // Started at once, as systemd would: both migrate (one waits for the other) and import the admin token.
  const started = await Promise.all([0, 1, 2].map(() => startGilbench(pgdb.url, { adminToken: ADMIN })));
  servers.push(...started);
}, 120_000);

afterAll(async () => {
  for (const s of servers) expect(await s.stop()).toBe(0);
});

describe('three server processes on one PostgreSQL database', () => {
  it('serve one history: runs uploaded to any of them show in all, a run sent to two at once is stored once', async () => {
    const [a, b, c] = servers as [ServerProcess, ServerProcess, ServerProcess];
    const enroll = await call(a, 'POST', '/tokens', ADMIN, { role: 'enroll', name: 'several' });
    expect(enroll.status).toBe(201);
    const machine = fixtureMachine(77, ['nightly']);
    // Enrolled through b with a token made through a: tokens are shared too.
    const enrolled = await call(b, 'POST', '/agents/enroll', enroll.json.token, { machine });
    expect(enrolled.status).toBe(201);
    const agent = enrolled.json.token as string;
    const docs = fixtureHistory({ machine, runs: 9, seed: 5 });
    for (const [i, doc] of docs.entries()) {
      const answer = await call(servers[i % 3]!, 'POST', '/runs', agent, doc);
      expect(answer.status, answer.text).toBe(201);
    }
    const extra = fixtureHistory({ machine, runs: 10, seed: 5 })[9]!;
    const twice = await Promise.all([call(a, 'POST', '/runs', agent, extra), call(c, 'POST', '/runs', agent, extra)]);
    expect(twice.map((t) => t.status).sort()).toEqual([200, 201]);

    const lists = await Promise.all(servers.map((s) => call(s, 'GET', '/series?suite=calls', ADMIN)));
    expect(lists[0]!.json.series.length).toBeGreaterThan(0);
    for (const l of lists) expect(l.json).toEqual(lists[0]!.json);
    const id = lists[0]!.json.series[0].id as number;
    const histories = await Promise.all(servers.map((s) => call(s, 'GET', `/series/${id}/history`, ADMIN)));
    expect(histories[0]!.json.points.at).toHaveLength(10);
    for (const h of histories) expect(h.json).toEqual(histories[0]!.json);
    const runs = await call(b, 'GET', `/runs?limit=50`, ADMIN);
    expect(runs.json.runs.map((r: { id: string }) => r.id).sort()).toEqual([...docs, extra].map((d) => d.id).sort());
  });

  it('their schedulers make exactly one job for a due slot between them', async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const made = await call(a, 'POST', '/schedules', ADMIN, {
      name: 'every minute',
      cron: '* * * * *',
      suites: ['calls'],
      modes: ['gil'],
    });
    expect(made.status, made.text).toBe(201);
    const scheduleId = made.json.schedule.id as number;
    // Make three slots due at once for all three schedulers (each ticks every second):
    // the latest is owed one job, whoever gets there first.
    const client = new pg.Client({ connectionString: pgdb.url });
    await client.connect();
    const dueAt = Date.now();
    await client.query('UPDATE schedules SET last_slot = last_slot - 180000 WHERE id = $1', [scheduleId]);
    await client.end();
    let jobs: Array<{ slot: number; scheduleId: number }> = [];
    for (let i = 0; i < 100 && jobs.length === 0; i++) {
      await sleep(100);
      jobs = (await call(b, 'GET', `/jobs?schedule=${scheduleId}`, ADMIN)).json.jobs;
    }
    await sleep(3000); // every scheduler has ticked a few more times
    const minute = (t: number) => Math.floor(t / 60_000);
    const before = Date.now();
    jobs = (await call(b, 'GET', `/jobs?schedule=${scheduleId}`, ADMIN)).json.jobs;
    const after = Date.now();
    // One job per slot: the latest slot owed when the slots were made due, and one for each
    // minute the clock has crossed since (a test can straddle a minute's turn).
    const slots = jobs.map((j) => j.slot).sort((x, y) => x - y);
    expect(new Set(slots).size).toBe(slots.length);
    for (const slot of slots) expect(slot % 60_000).toBe(0);
    // Not the missed slots before it: only the latest one owed.
    expect(minute(slots[0]!)).toBeGreaterThanOrEqual(minute(dueAt));
    expect(slots.length).toBeGreaterThanOrEqual(1 + minute(before) - minute(slots[0]!));
    expect(slots.length).toBeLessThanOrEqual(1 + minute(after) - minute(slots[0]!));
  });
});
