/**
 * Bad input: thousands of seeded malformed and hostile requests (fuzz.ts)
 * over every route of the table against a real `gilbench server` process on
 * a seeded database. Asserts: no 5xx, every error a JSON `{error, detail}`
 * with a 4xx, every write refused, the database's contents unchanged (every
 * table hashed before and after), and no token in the server's log.
 *
 * Short: 1,000 requests; full (GILBENCH_RELIABILITY=full): 10,000.
 * Another seed: GILBENCH_FUZZ_SEED=123 (the same seed gives the same requests).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUN_SCHEMA } from '../../harness/schema.ts';
import { tempDir } from '../../harness/test-support/index.ts';
import { ROUTES } from '../routes.ts';
import {
  ADMIN_TOKEN,
  api,
  bearer,
  errorShapeProblem,
  fixtureMachine,
  formatCounts,
  killStarted,
  loopback,
  type Seed,
  type ServerProcess,
  seedDatabase,
  send,
  size,
  snapshot,
  startGilbench,
  tokensIn,
} from '../test-support/index.ts';
import { extremeRuns } from './extreme.ts';
import { type FuzzContext, type FuzzRequest, fuzzRequests } from './fuzz.ts';

const COUNT = size(1_000, 10_000);
const SEED = Number(process.env.GILBENCH_FUZZ_SEED ?? 20_251_122);
/** Requests in flight at once. */
const CONCURRENCY = 6;
/** A body larger than this is not sent at all when the server answers without reading it. */
const HOLD_BODY_OVER = 1024 * 1024;
/** Client addresses the requests rotate over, so failed authentications do not all count against one. */
const ADDRESSES = 1000;

describe('bad input', () => {
  const { dir, remove: cleanup } = tempDir('gilbench-fuzz-');
  let seed: Seed;
  let server: ServerProcess;
  let context: FuzzContext;
  // Read beside the running server, from its database file.
  const tableSnapshot = () => snapshot({ kind: 'sqlite', location: seed.file });

  beforeAll(async () => {
    seed = await seedDatabase(join(dir, 'fuzz.db'));
    server = await startGilbench(seed.file);
    // A revoked enrollment token, and an agent token its machine replaced by enrolling again.
    const revoked = await api(server.url, 'POST', '/tokens', { role: 'enroll', name: 'to revoke' });
    await api(server.url, 'DELETE', `/tokens/${revoked.info.id}`);
    // Enrolling an enrolled machine again takes an admin (an enrollment token only asks).
    const enroll = async (token: string) => {
      const answer = await send(server.url, {
        method: 'POST',
        path: '/api/v1/agents/enroll',
        headers: bearer(token, true),
        body: JSON.stringify({ machine: fixtureMachine(104) }),
      });
      expect(answer.status).toBe(201);
      return (answer.json() as { token: string }).token;
    };
    const superseded = await enroll(seed.tokens.enroll);
    await enroll(seed.tokens.admin);
    // No cron slot may make a job while the data is compared.
    await api(server.url, 'PATCH', `/schedules/${seed.scheduleId}`, { enabled: false });
    context = {
      tokens: { ...seed.tokens, revoked: revoked.token, superseded },
      targets: {
        machineA: seed.machineA.id,
        machineFactsA: seed.machineA.facts,
        newMachine: seed.newMachine,
        runA: seed.runsA[0]!.id,
        runA2: seed.runsA[1]!.id,
        runB: seed.runB.id,
        newRunA: seed.newRunA,
        seriesId: seed.seriesId,
        regressionId: seed.regressionId,
        annotationId: seed.annotationId,
        scheduleId: seed.scheduleId,
        heldJobId: seed.heldJobId,
        queuedJobId: seed.queuedJobId,
        enrollTokenId: seed.enrollTokenId,
        enrollmentRequestId: seed.enrollmentRequestId,
      },
    };
  });

  afterAll(async () => {
    await killStarted();
    cleanup();
  });

  it(`${COUNT} malformed and hostile requests: no 5xx, JSON errors, every write refused, nothing stored changes`, {
    timeout: size(180_000, 600_000),
  }, async () => {
    const before = tableSnapshot();
    const byStatus: Record<string, number> = {};
    const byKind: Record<string, number> = {};
    const routesHit = new Set<string>();
    const secrets = new Set<string>([ADMIN_TOKEN, ...Object.values(context.tokens)]);
    const failures: string[] = [];
    const describeRequest = (r: FuzzRequest) =>
      `#${r.index} ${r.kind} ${r.method} ${r.path.slice(0, 100)} ${r.body ? `(${r.body.length} bytes: ${r.body.subarray(0, 80).toString('latin1')})` : ''}`;

    const requests = fuzzRequests(context, { seed: SEED, count: COUNT });
    const worker = async () => {
      for (;;) {
        const next = requests.next();
        if (next.done) return;
        const r = next.value;
        for (const s of r.secrets) secrets.add(s);
        byKind[r.kind] = (byKind[r.kind] ?? 0) + 1;
        if (r.route) routesHit.add(r.route);
        try {
          const answer = await send(server.url, {
            method: r.method,
            path: r.path,
            headers: r.headers as Record<string, string>,
            body: r.body,
            chunked: r.chunked,
            holdBody: r.answersEarly && (r.body?.length ?? 0) > HOLD_BODY_OVER,
            localAddress: loopback(2, r.index % ADDRESSES),
            timeoutMs: 120_000,
          });
          byStatus[answer.status] = (byStatus[answer.status] ?? 0) + 1;
          const problem = errorShapeProblem(answer);
          if (problem) failures.push(`${describeRequest(r)} -> ${answer.status}: ${problem}`);
          else if (r.write && answer.status < 400) {
            failures.push(`${describeRequest(r)} -> ${answer.status}: a write was accepted`);
          }
        } catch (err) {
          if (r.overLimit && r.chunked) {
            // Refused after the limit while more was on the way: the server may close instead of reading on.
            byStatus['cut while sending too much'] = (byStatus['cut while sending too much'] ?? 0) + 1;
            continue;
          }
          byStatus['no answer'] = (byStatus['no answer'] ?? 0) + 1;
          failures.push(`${describeRequest(r)} -> ${(err as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    // Still serving, and what it stores is exactly as before.
    expect((await send(server.url, { method: 'GET', path: '/api/v1/health' })).status).toBe(200);
    const after = tableSnapshot();
    const log = server.output();

    expect(failures.slice(0, 20)).toEqual([]);
    expect(after).toEqual(before);
    expect(ROUTES.map((r) => `${r.method} ${r.path}`).filter((k) => !routesHit.has(k))).toEqual([]);
    expect(tokensIn(log, secrets)).toEqual([]);
    const served = Object.entries(byStatus).filter(([s]) => Number(s) >= 500);
    expect(served).toEqual([]);

    console.log(
      `fuzz: ${COUNT} requests (seed ${SEED}) over ${routesHit.size} routes and unknown ones: ${formatCounts(byStatus)}; ` +
        `0 5xx, every error a JSON {error, detail}, every write refused, database unchanged (${Object.keys(after).length} tables hashed), ` +
        `no token among ${secrets.size} in the server log`,
    );
    console.log(`fuzz: kinds ${formatCounts(byKind)}`);
  });

  it('hostile but well-formed: 10,000-level details and invalid UTF-8 are refused; SQL and HTML are stored verbatim', async () => {
    let deep = '1';
    for (let i = 0; i < 10_000; i++) deep = `[${deep}]`;
    const machine = JSON.stringify(fixtureMachine(105)).replace('"details":{', `"details":{"deep":${deep},`);
    const before = tableSnapshot();
    const refusedEnroll = await send(server.url, {
      method: 'POST',
      path: '/api/v1/agents/enroll',
      headers: bearer(seed.tokens.enroll, true),
      body: `{"machine":${machine}}`,
      localAddress: loopback(3, 1),
    });
    expect(refusedEnroll.status).toBe(400);
    expect(errorShapeProblem(refusedEnroll)).toBeNull();
    const refusedNote = await send(server.url, {
      method: 'PATCH',
      path: `/api/v1/annotations/${seed.annotationId}`,
      headers: bearer(ADMIN_TOKEN, true),
      body: Buffer.concat([Buffer.from('{"text":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]), // latin-1, not UTF-8
    });
    expect(refusedNote.status).toBe(400);
    expect(tableSnapshot()).toEqual(before);

    // Text fields take anything printable; it must come back byte for byte, never run as SQL or markup.
    const hostile = `'; DROP TABLE runs; -- <script>alert(1)</script> \u202e🙂 \\ " %s`;
    const doc = {
      ...seed.newRunA,
      schema: RUN_SCHEMA,
      gilbenchVersion: hostile.slice(0, 50),
      warnings: [{ code: 'other' as const, message: hostile }],
    };
    const stored = await send(server.url, {
      method: 'POST',
      path: '/api/v1/runs',
      headers: bearer(seed.tokens.agentA, true),
      body: JSON.stringify(doc),
    });
    expect(stored.status, stored.body.toString()).toBe(201);
    const back = await api(server.url, 'GET', `/runs/${doc.id}/document`);
    expect(back.warnings).toEqual(doc.warnings);
    expect(back.gilbenchVersion).toBe(doc.gilbenchVersion);
    expect((await api(server.url, 'GET', '/runs?limit=1000')).runs.length).toBe(seed.runsA.length + 2);
  });
  it('valid but extreme: every family (extreme.ts) is stored over HTTP, and every read of it answers without a 5xx', async () => {
    const runs = extremeRuns(fixtureMachine(106), new Date('2024-01-01T00:00:00Z'));
    const statuses = new Map<number, number>();
    const fails: string[] = [];
    const read = async (path: string) => {
      const answer = await send(server.url, { method: 'GET', path, headers: bearer(ADMIN_TOKEN) });
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      if (answer.status >= 500) fails.push(`${path}: ${answer.status} ${answer.body.toString().slice(0, 200)}`);
      return answer;
    };
    for (const { family, doc } of runs) {
      const stored = await send(server.url, {
        method: 'POST',
        path: '/api/v1/runs',
        headers: bearer(ADMIN_TOKEN, true),
        body: JSON.stringify(doc),
      });
      expect(stored.status, `${family}: ${stored.body.toString().slice(0, 300)}`).toBe(201);
    }
    for (const { doc } of runs) {
      await read(`/api/v1/runs/${doc.id}`);
      await read(`/api/v1/runs/${doc.id}?samples=1`);
      await read(`/api/v1/runs/${doc.id}/document`);
      await read(`/api/v1/runs/${doc.id}/scaling`);
      for (const base of doc.modes) {
        for (const other of doc.modes) {
          await read(
            `/api/v1/runs/${doc.id}/compare?base=${encodeURIComponent(base.id)}&other=${encodeURIComponent(other.id)}`,
          );
        }
      }
      for (const other of runs) {
        await read(`/api/v1/compare?base=${doc.id}&other=${other.doc.id}&mode=${encodeURIComponent(doc.modes[0]!.id)}`);
      }
    }
    const machines = (await read('/api/v1/machines')).json() as {
      machines: Array<{ id: number; fingerprint: string }>;
    };
    const machine = machines.machines.find((m) => m.fingerprint === runs[0]!.doc.machine.fingerprint)!;
    const { series } = (await read(`/api/v1/series?machine=${machine.id}`)).json() as { series: Array<{ id: number }> };
    expect(series.length).toBeGreaterThan(0);
    for (const s of series) await read(`/api/v1/series/${s.id}/history`);
    await read('/api/v1/regressions');
    expect(fails).toEqual([]);
    console.log(
      `fuzz: ${runs.length} extreme documents stored, their reads answered ${formatCounts(Object.fromEntries(statuses))}; 0 5xx`,
    );
  });
});
