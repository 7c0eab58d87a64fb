/**
 * The store contract, run unchanged on every backend in STORE_BACKENDS: each
 * subject's reads and writes, and the atomic steps several processes rely on
 * (a claim hands a job to one caller, a slot makes one job, a run id is
 * stored once). "Another process" is a second store opened on the same
 * database. Behaviour through the services: server/services/services.test.ts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { RunDocument } from '../../harness/schema.ts';
import { fixtureHistory, fixtureMachine, fixtureRun, onRelease } from '../test-support/index.ts';
import type { Store } from './core/store.ts';
import type { EnrollInput, NewChange, RunInsertInput } from './core/types.ts';
import { STORE_BACKENDS, snapshotOf, type TestDatabase } from './testing.ts';

const NOW = Date.parse('2025-06-02T12:00:00Z');
const hash = (n: number) => new Uint8Array(32).fill(n);

/** Insert input with a made-up point per ok result (the store does no statistics). */
function input(doc: RunDocument, now = NOW): RunInsertInput {
  return {
    uploadedBy: null,
    now,
    points: doc.results.map((r, i) => (r.status === 'ok' ? { level: 100 + i, rse: 0.01 } : null)),
    addLabels: doc.machine.labels ?? [],
  };
}

function change(seriesId: number, runPk: number, previousRunPk: number | null): NewChange {
  return {
    seriesId,
    runPk,
    previousRunPk,
    detectedRunPk: runPk,
    kind: 'regression',
    change: 0.1,
    changeCiLow: 0.05,
    changeCiHigh: 0.15,
    confidence: 0.99,
    score: 5,
    beforeNs: 100,
    afterNs: 110,
    noise: 0.01,
    beforeCount: 5,
    afterCount: 3,
    method: 'test',
  };
}

describe.each(STORE_BACKENDS)('store contract: $name', (backend) => {
  const opened: Array<{ db: TestDatabase; stores: Store[] }> = [];
  afterAll(async () => {
    for (const { db, stores } of opened) {
      for (const s of stores) await s.close();
      await db.drop();
    }
  });
  /** A new empty database and `count` stores on it (connections, as separate processes would hold). */
  async function fresh(count = 1): Promise<{ db: TestDatabase; stores: Store[] }> {
    const db = await backend.create();
    const stores: Store[] = [];
    for (let i = 0; i < count; i++) stores.push(await db.open());
    const entry = { db, stores };
    opened.push(entry);
    return entry;
  }

  describe('runs', () => {
    it('stores a run whole or not at all: a failure on the last result leaves nothing', async () => {
      const { db, stores } = await fresh();
      const store = stores[0]!;
      const first = fixtureRun({ machine: fixtureMachine(1), seed: 1, startedAt: new Date(NOW - 86_400_000) });
      await store.runs.insert(first, input(first));
      const before = await snapshotOf(db);
      const broken = fixtureRun({ machine: fixtureMachine(2), seed: 2, startedAt: new Date(NOW) });
      // Past the schema's checks, every database refuses the last row: its status is NOT NULL.
      broken.results.at(-1)!.status = null as never;
      await expect(store.runs.insert(broken, input(broken))).rejects.toThrow(/null/i);
      expect(await snapshotOf(db)).toEqual(before);
      // Nothing of the failed attempt is remembered: the same run, fixed, goes in.
      broken.results.at(-1)!.status = 'ok';
      expect((await store.runs.insert(broken, input(broken))).created).toBe(true);
    });

    it('is idempotent by run id and tells whose machine the stored run is', async () => {
      const { db, stores } = await fresh();
      const store = stores[0]!;
      const doc = fixtureRun({ machine: fixtureMachine(1), seed: 3, startedAt: new Date(NOW) });
      const first = await store.runs.insert(doc, input(doc));
      expect(first).toMatchObject({ created: true, seriesIds: expect.any(Array) });
      const after = await snapshotOf(db);
      const second = await store.runs.insert({ ...doc, machine: fixtureMachine(9) }, input(doc, NOW + 1000));
      expect(second).toEqual({ created: false, runPk: first.runPk, fingerprint: doc.machine.fingerprint });
      expect(await snapshotOf(db)).toEqual(after);
    });

    it('stores a run id once when two connections insert it at the same time', async () => {
      const { db, stores } = await fresh(3);
      const doc = fixtureRun({ machine: fixtureMachine(1), seed: 5, startedAt: new Date(NOW) });
      const outcomes = await Promise.all(stores.map((s) => s.runs.insert(doc, input(doc))));
      expect(outcomes.filter((o) => o.created)).toHaveLength(1);
      expect(new Set(outcomes.map((o) => o.runPk)).size).toBe(1);
      expect((await db.tables()).runs).toHaveLength(1);
      expect((await db.tables()).results).toHaveLength(doc.results.length);
    });

    it('gives back the uploaded document exactly, and its summary', async () => {
      const { stores } = await fresh();
      const store = stores[0]!;
      const doc = fixtureRun({ machine: fixtureMachine(1), seed: 4, startedAt: new Date(NOW), jobId: '17' });
      doc.results[2]!.status = 'error';
      doc.results[2]!.error = { message: 'worker crashed', stderrTail: 'Segmentation fault' };
      doc.results[3]!.stats = null;
      doc.results[4]!.samples = [1, 1.5, 1e-300, 123456.789, Math.PI];
      doc.warnings.push({ code: 'machine-busy', message: 'load 3.1' });
      doc.results[0]!.warnings.push({ code: 'unstable', message: 'CI ±31%' });
      doc.results[1]!.warnings.push(
        { code: 'machine-busy', message: 'load 2.0' },
        { code: 'unstable', message: 'CI ±12%' },
      );
      doc.results[5]!.warnings.push({ code: 'machine-busy', message: 'load 1.2' });
      const outcome = await store.runs.insert(doc, input(doc));
      expect(await store.runs.document(doc.id)).toEqual(doc);
      const [info] = await store.runs.infos([doc.id, 'no-such-run']);
      expect(info).toMatchObject({ id: doc.id, resultCount: doc.results.length, modes: doc.modes, jobId: '17' });
      // Results' own warnings are counted, not the run's (a run with 302 unstable results said "warnings 0").
      const warned = doc.results.filter((r) => r.warnings.length > 0);
      const unstable = doc.results.filter((r) => r.warnings.some((w) => w.code === 'unstable'));
      expect(unstable.length).toBeGreaterThan(0);
      expect(info).toMatchObject({ warnedResults: warned.length, unstableResults: unstable.length });
      expect(await store.runs.find(doc.id)).toMatchObject({ pk: outcome.runPk, startedAt: Date.parse(doc.startedAt) });
      expect(await store.runs.idsOf([outcome.runPk, outcome.runPk + 1000])).toEqual([doc.id, null]);
      expect((await store.runs.get(doc.id, { samples: true }))!.results[4]!.samples).toEqual(doc.results[4]!.samples);
      expect(await store.runs.document('no-such-run')).toBeNull();
    });

    it('deletes a run with its results, recounting and bumping its series', async () => {
      const { stores } = await fresh();
      const store = stores[0]!;
      const docs = fixtureHistory({ machine: fixtureMachine(1), runs: 3 });
      for (const doc of docs) await store.runs.insert(doc, input(doc));
      const [series] = await store.series.list({ suite: 'calls', mode: 'gil', limit: 1 });
      const [before] = await store.series.versions([series!.id]);
      expect(await store.runs.delete(docs[2]!.id)).toBe(true);
      expect(await store.runs.delete(docs[2]!.id)).toBe(false);
      expect(await store.series.get(series!.id)).toMatchObject({
        points: 2,
        lastStartedAt: Date.parse(docs[1]!.startedAt),
      });
      expect((await store.series.versions([series!.id]))[0]).not.toBe(before);
      expect((await store.runs.list({})).map((r) => r.id)).toEqual([docs[1]!.id, docs[0]!.id]);
    });

    it('names a series by its newest point again when the newest run, on a new release, is deleted', async () => {
      const { stores } = await fresh();
      const store = stores[0]!;
      const docs = fixtureHistory({ machine: fixtureMachine(1), runs: 3 }).map((d, i) =>
        i === 2 ? onRelease(d, '3.13.15') : d,
      );
      for (const doc of docs) await store.runs.insert(doc, input(doc));
      const [series] = await store.series.list({ suite: 'calls', mode: 'gil', limit: 1 });
      expect(series!.modeId).toBe('cpython-3.13.15/gil');
      await store.runs.delete(docs[2]!.id);
      expect(await store.series.get(series!.id)).toMatchObject({ modeId: 'cpython-3.13.5/gil', points: 2 });
    });
  });

  describe('answers', () => {
    const answer = (text: string) => ({ text, etag: `"${text.length}-${text.slice(0, 8)}"` });

    it('keeps an answer about stored runs for any connection; the first one under a key stays', async () => {
      const { stores } = await fresh(2);
      const [store, other] = stores as [Store, Store];
      const doc = fixtureRun({ machine: fixtureMachine(1), seed: 1, startedAt: new Date(NOW) });
      await store.runs.insert(doc, input(doc));
      expect(await store.answers.get(`scaling|${doc.id}`)).toBeNull();
      const text = JSON.stringify({ runId: doc.id, curves: [], note: 'é ✓ \u0000'.repeat(100) });
      expect(await store.answers.put(`scaling|${doc.id}`, [doc.id, doc.id], answer(text), NOW)).toBe(true);
      expect(await other.answers.get(`scaling|${doc.id}`)).toEqual(answer(text));
      expect(await other.answers.put(`scaling|${doc.id}`, [doc.id], answer('{"later":1}'), NOW + 1)).toBe(true);
      expect(await store.answers.get(`scaling|${doc.id}`)).toEqual(answer(text));
    });

    it('keeps nothing when a run it is about is not stored', async () => {
      const { db, stores } = await fresh();
      const store = stores[0]!;
      const doc = fixtureRun({ machine: fixtureMachine(1), seed: 2, startedAt: new Date(NOW) });
      await store.runs.insert(doc, input(doc));
      const before = await snapshotOf(db);
      const key = `compare-runs|${doc.id}|no-such-run|nogil`;
      expect(await store.answers.put(key, [doc.id, 'no-such-run'], answer('{}'), NOW)).toBe(false);
      expect(await store.answers.get(key)).toBeNull();
      expect(await snapshotOf(db)).toEqual(before);
    });

    it('keeps one answer when several connections put one key at once', async () => {
      const { db, stores } = await fresh(3);
      const doc = fixtureRun({ machine: fixtureMachine(1), seed: 3, startedAt: new Date(NOW) });
      await stores[0]!.runs.insert(doc, input(doc));
      const key = `compare|${doc.id}||nogil`;
      const puts = await Promise.all(stores.map((s, i) => s.answers.put(key, [doc.id], answer(`{"n":${i}}`), NOW)));
      expect(puts).toEqual([true, true, true]);
      const tables = await db.tables();
      expect(tables.answers).toHaveLength(1);
      expect(tables.answer_runs).toHaveLength(1);
      expect(stores.map((_, i) => answer(`{"n":${i}}`))).toContainEqual(await stores[1]!.answers.get(key));
    });

    it('trims to a total size in UTF-8 bytes, the answers kept longest going first with their links', async () => {
      const { db, stores } = await fresh();
      const store = stores[0]!;
      const doc = fixtureRun({ machine: fixtureMachine(1), seed: 4, startedAt: new Date(NOW) });
      await store.runs.insert(doc, input(doc));
      // 10 bytes each: five two-byte characters, or ten one-byte ones.
      await store.answers.put('oldest', [doc.id], answer('é'.repeat(5)), NOW);
      await store.answers.put('middle', [doc.id], answer('m'.repeat(10)), NOW + 1);
      await store.answers.put('newest', [doc.id], answer('n'.repeat(10)), NOW + 2);
      expect(await store.answers.trim(30)).toBe(0);
      expect(await store.answers.trim(29)).toBe(1);
      expect(await store.answers.get('oldest')).toBeNull();
      expect(await store.answers.get('middle')).not.toBeNull();
      expect((await db.tables()).answer_runs).toHaveLength(2);
      expect(await store.answers.trim(10)).toBe(1);
      expect(await store.answers.get('newest')).toEqual(answer('n'.repeat(10)));
      expect(await store.answers.trim(0)).toBe(1);
      expect(await db.tables()).toMatchObject({ answers: [], answer_runs: [] });
    });

    it('deletes the answers about a run with it, also those about it and another run', async () => {
      const { db, stores } = await fresh(2);
      const [store, other] = stores as [Store, Store];
      const [a, b] = fixtureHistory({ machine: fixtureMachine(1), runs: 2 }) as [RunDocument, RunDocument];
      for (const doc of [a, b]) await store.runs.insert(doc, input(doc));
      await store.answers.put(`compare|${a.id}||nogil`, [a.id], answer('{"a":1}'), NOW);
      await store.answers.put(`compare-runs|${a.id}|${b.id}|nogil`, [a.id, b.id], answer('{"ab":1}'), NOW);
      await store.answers.put(`compare|${b.id}||nogil`, [b.id], answer('{"b":1}'), NOW);
      expect(await other.runs.delete(a.id)).toBe(true);
      expect(await store.answers.get(`compare|${a.id}||nogil`)).toBeNull();
      expect(await store.answers.get(`compare-runs|${a.id}|${b.id}|nogil`)).toBeNull();
      expect(await store.answers.get(`compare|${b.id}||nogil`)).toEqual(answer('{"b":1}'));
      const tables = await db.tables();
      expect(tables.answers).toHaveLength(1);
      expect(tables.answer_runs).toHaveLength(1);
      // The deleted run's answers cannot come back: a put about it keeps nothing.
      expect(await store.answers.put(`compare|${a.id}||nogil`, [a.id], answer('{"a":2}'), NOW)).toBe(false);
    });
  });

  describe('series and windows', () => {
    it('reads points, columns and windows in (start, run key) order, from the baseline on', async () => {
      const { stores } = await fresh();
      const store = stores[0]!;
      const docs = fixtureHistory({ machine: fixtureMachine(1), runs: 5 });
      docs[3]!.startedAt = docs[2]!.startedAt; // two runs at one time: the run key orders them
      const pks: number[] = [];
      for (const i of [0, 1, 4, 2, 3]) {
        const outcome = await store.runs.insert(docs[i]!, input(docs[i]!));
        pks[i] = outcome.runPk;
      }
      const [series] = await store.series.list({ suite: 'calls', mode: 'gil', limit: 1 });
      const id = series!.id;
      const all = { from: Number.MIN_SAFE_INTEGER, to: Number.MAX_SAFE_INTEGER, limit: 10_000 };
      const points = await store.series.points(id, all);
      expect(points.map((p) => p.runPk)).toEqual([
        pks[0],
        pks[1],
        Math.min(pks[2]!, pks[3]!),
        Math.max(pks[2]!, pks[3]!),
        pks[4],
      ]);
      expect((await store.series.points(id, { ...all, limit: 2 })).map((p) => p.runPk)).toEqual(
        points.slice(3).map((p) => p.runPk),
      );
      const columns = (await store.series.columns(id, {
        fromAt: Number.MIN_SAFE_INTEGER,
        fromPk: Number.MIN_SAFE_INTEGER,
        to: all.to,
      }))!;
      expect(columns.runPks).toEqual(points.map((p) => p.runPk));
      expect(JSON.parse(`[${columns.texts[0]}]`)).toEqual(points.map((p) => p.at));
      expect(JSON.parse(`[${columns.texts[3]}]`)).toEqual(points.map((p) => p.median));
      expect(columns.version).toBe((await store.series.versions([id]))[0]);
      expect(await store.series.pointBack(id, { from: all.from, to: all.to, skip: 1 })).toEqual([
        points[3]!.at,
        points[3]!.runPk,
      ]);
      expect(await store.series.pointBack(id, { from: all.from, to: all.to, skip: 5 })).toBeNull();
      expect(await store.series.columns(id + 10_000, { fromAt: 0, fromPk: 0, to: 0 })).toBeNull();

      const [window, missing] = await store.windows.load([id, id + 10_000], 3);
      expect(missing).toBeNull();
      expect(window).toMatchObject({ seriesId: id, runPks: points.slice(2).map((p) => p.runPk), changes: [] });
      expect(window!.points).toHaveLength(3);

      const regressionId = (await store.regressions.insert(change(id, points[3]!.runPk, points[2]!.runPk), NOW))!;
      expect(await store.regressions.insert(change(id, points[3]!.runPk, points[2]!.runPk), NOW)).toBeNull();
      const [after] = await store.windows.load([id], 3);
      expect(after!.version).not.toBe(window!.version);
      expect(after!.changes).toEqual([{ runPk: points[3]!.runPk, status: 'new' }]);
      // A baseline only moves forward, and the window starts at it.
      expect(
        await store.regressions.update(regressionId, { status: 'acknowledged', baselineFrom: points[3]!.at }, NOW),
      ).toBe(true);
      expect(await store.regressions.update(regressionId, { baselineFrom: points[0]!.at }, NOW)).toBe(true);
      expect((await store.series.get(id))!.baselineFrom).toBe(points[3]!.at);
      const [rebased] = await store.windows.load([id], 10);
      expect(rebased!.startedAts.every((t) => t >= points[3]!.at)).toBe(true);
      const [changedRun] = await store.runs.idsOf([points[3]!.runPk]);
      expect(await store.regressions.get(regressionId)).toMatchObject({
        status: 'acknowledged',
        runId: changedRun,
        seriesId: id,
      });
      expect(await store.regressions.update(regressionId + 1000, { note: 'x' }, NOW)).toBe(false);
    });

    it('counts the regressions a filter matches, past any limit', async () => {
      const { stores } = await fresh();
      const store = stores[0]!;
      const docs = fixtureHistory({ machine: fixtureMachine(1), runs: 2 });
      const [before, after] = [
        await store.runs.insert(docs[0]!, input(docs[0]!)),
        await store.runs.insert(docs[1]!, input(docs[1]!)),
      ];
      const series = await store.series.list({ limit: 1000 });
      // One upload that changes every series: changes sharing one start time.
      for (const se of series) await store.regressions.insert(change(se.id, after.runPk, before.runPk), NOW);
      const n = series.length;
      expect(n).toBeGreaterThan(3);
      expect(await store.regressions.list({ limit: 3 })).toHaveLength(3);
      expect(await store.regressions.count({ limit: 3 })).toBe(n);
      expect(await store.regressions.count({ status: 'new', kind: 'regression' })).toBe(n);
      expect(await store.regressions.count({ series: series[0]!.id })).toBe(1);
      expect(await store.regressions.count({ status: 'acknowledged' })).toBe(0);
      expect(await store.regressions.count({ machine: 999_999 })).toBe(0);
    });

    it("sees another connection's writes in the versions", async () => {
      const { stores } = await fresh(2);
      const [a, b] = stores as [Store, Store];
      const docs = fixtureHistory({ machine: fixtureMachine(1), runs: 2 });
      await a.runs.insert(docs[0]!, input(docs[0]!));
      const [series] = await a.series.list({ suite: 'calls', mode: 'gil', limit: 1 });
      const [v1] = await a.series.versions([series!.id]);
      await b.runs.insert(docs[1]!, input(docs[1]!));
      const [v2] = await a.series.versions([series!.id]);
      expect(v2).not.toBe(v1);
      expect((await a.windows.load([series!.id], 80))[0]!.version).toBe(v2);
    });
  });

  describe('tokens and machines', () => {
    it('stores tokens by hash, records use, and keeps the first revocation', async () => {
      const { stores } = await fresh();
      const { tokens } = stores[0]!;
      const info = await tokens.insert(
        { id: 'abc', secretHash: hash(7), role: 'admin', machineId: null, name: 'ci' },
        NOW,
      );
      expect(info).toEqual({
        id: 'abc',
        role: 'admin',
        machineId: null,
        name: 'ci',
        createdAt: NOW,
        lastUsedAt: null,
        revokedAt: null,
        expiresAt: null,
        usesLeft: null,
        labels: [],
      });
      expect(Buffer.from((await tokens.get('abc'))!.secretHash)).toEqual(Buffer.from(hash(7)));
      expect(await tokens.touch('abc', NOW + 5)).toBe(true);
      expect(await tokens.touch('nope', NOW + 5)).toBe(false);
      expect((await tokens.get('abc'))!.lastUsedAt).toBe(NOW + 5);
      expect((await tokens.revoke('abc', NOW + 10))!.revokedAt).toBe(NOW + 10);
      expect((await tokens.revoke('abc', NOW + 20))!.revokedAt).toBe(NOW + 10);
      expect(await tokens.revoke('nope', NOW)).toBeNull();
      await tokens.insert({ id: 'def', secretHash: hash(8), role: 'enroll', machineId: null, name: '' }, NOW + 1);
      expect((await tokens.list()).map((t) => t.id)).toEqual(['abc', 'def']);
      await expect(
        tokens.insert({ id: 'abc', secretHash: hash(9), role: 'admin', machineId: null, name: '' }, NOW),
      ).rejects.toThrow();
    });

    it('adds reported labels to the declared ones; the granted ones change only when told', async () => {
      const { stores } = await fresh(2);
      const [a, b] = stores as [Store, Store];
      const facts = fixtureMachine(3, ['x']);
      const id = await a.machines.upsert(facts, ['x'], NOW);
      expect(await b.machines.upsert({ ...facts, hostname: 'renamed' }, ['y', 'x'], NOW - 5)).toBe(id);
      const machine = (await a.machines.get(id))!;
      expect([...machine.declaredLabels].sort()).toEqual(['x', 'y']);
      expect(machine.labels).toEqual([]);
      expect(machine).toMatchObject({ hostname: 'renamed', lastSeen: NOW, firstSeen: NOW, runCount: 0 });
      expect(await a.machines.setLabels(id, ['z'], NOW)).toBe(true);
      await a.machines.upsert(facts, ['w'], NOW);
      expect((await a.machines.get(id))!.labels).toEqual(['z']);
      expect([...(await a.machines.get(id))!.declaredLabels].sort()).toEqual(['w', 'x', 'y']);
      expect(await a.machines.touch(id, NOW + 100)).toBe(true);
      expect(await a.machines.touch(id, NOW + 50)).toBe(true);
      expect((await a.machines.get(id))!.lastSeen).toBe(NOW + 100);
      expect(await a.machines.touch(id + 100, NOW)).toBe(false);
      expect(await a.machines.setLabels(id + 100, [], NOW)).toBe(false);
      expect(await a.machines.get(id + 100)).toBeNull();
    });

    it('enrolls in one step: the machine, its old agent tokens revoked, a new one stored', async () => {
      const { stores } = await fresh();
      const store = stores[0]!;
      const facts = fixtureMachine(5, ['declared']);
      const enroll = (id: string, at: number, more: Partial<EnrollInput> = {}) =>
        store.machines.enroll(
          {
            facts,
            agentToken: { id, secretHash: hash(id.length + at), role: 'agent', name: 'a' },
            enrollTokenId: null,
            grantLabels: ['granted'],
            existing: 'replace',
            ...more,
          },
          at,
        );
      const first = await enroll('t1', NOW);
      expect(first.kind).toBe('created');
      const id = (first as { machineId: number }).machineId;
      expect(await store.machines.get(id)).toMatchObject({ labels: ['granted'], declaredLabels: ['declared'] });
      expect(await enroll('t2', NOW + 1)).toEqual({ kind: 'replaced', machineId: id });
      expect(await store.tokens.get('t1')).toMatchObject({ machineId: id, revokedAt: NOW + 1 });
      expect(await store.tokens.get('t2')).toMatchObject({ machineId: id, revokedAt: null, role: 'agent' });
      expect((await store.machines.list()).map((m) => m.id)).toEqual([id]);
    });

    it('enrollment spends a use of its token, and for an enrolled fingerprint stores a request until decided', async () => {
      const { stores } = await fresh(2);
      const [a, b] = [stores[0]!, stores[1]!];
      await a.tokens.insert(
        { id: 'en', secretHash: hash(9), role: 'enroll', machineId: null, name: '', usesLeft: 2, labels: ['x'] },
        NOW,
      );
      const facts = fixtureMachine(6, ['d1']);
      const input = (id: string, f = facts): EnrollInput => ({
        facts: f,
        agentToken: { id, secretHash: hash(id.charCodeAt(1)), role: 'agent', name: id },
        enrollTokenId: 'en',
        grantLabels: ['x'],
        existing: 'request',
      });
      const made = await a.machines.enroll(input('a1'), NOW);
      expect(made.kind).toBe('created');
      const machineId = (made as { machineId: number }).machineId;
      const asked = await b.machines.enroll(input('a2', { ...facts, hostname: 'other', labels: ['d2'] }), NOW + 1);
      expect(asked).toMatchObject({ kind: 'requested', machineId });
      expect(await a.tokens.get('en')).toMatchObject({ usesLeft: 0, labels: ['x'] });
      // Nothing of the machine changed; the request's token is not a token yet.
      expect(await a.machines.get(machineId)).toMatchObject({ hostname: facts.hostname, declaredLabels: ['d1'] });
      expect(await a.tokens.get('a2')).toBeNull();
      expect(await a.tokens.get('a1')).toMatchObject({ revokedAt: null });
      // Spent: nothing written.
      expect(await a.machines.enroll(input('a3', fixtureMachine(7)), NOW + 2)).toEqual({ kind: 'spent' });
      expect(await a.machines.list()).toHaveLength(1);

      const requestId = (asked as { requestId: number }).requestId;
      expect(await b.machines.enrollmentRequests('pending')).toMatchObject([
        {
          id: requestId,
          machineId,
          status: 'pending',
          tokenId: 'a2',
          enrollTokenId: 'en',
          facts: { hostname: 'other' },
        },
      ]);
      expect(await a.machines.decideEnrollment(requestId, 'approved', NOW + 3)).toMatchObject({
        status: 'approved',
        decidedAt: NOW + 3,
      });
      expect(await a.machines.decideEnrollment(requestId, 'rejected', NOW + 4)).toBeNull();
      expect(await a.tokens.get('a2')).toMatchObject({ machineId, role: 'agent', revokedAt: null });
      expect(await a.tokens.get('a1')).toMatchObject({ revokedAt: NOW + 3 });
      expect(await a.machines.get(machineId)).toMatchObject({ hostname: 'other', declaredLabels: ['d1', 'd2'] });
      expect(await a.machines.enrollmentRequests('pending')).toEqual([]);
      expect(await a.machines.getEnrollmentRequest(requestId + 100)).toBeNull();
    });

    it('an expired or revoked enrollment token enrolls nothing', async () => {
      const { stores } = await fresh();
      const store = stores[0]!;
      await store.tokens.insert(
        { id: 'old', secretHash: hash(3), role: 'enroll', machineId: null, name: '', expiresAt: NOW },
        NOW - 10,
      );
      const input: EnrollInput = {
        facts: fixtureMachine(8),
        agentToken: { id: 'n1', secretHash: hash(4), role: 'agent', name: '' },
        enrollTokenId: 'old',
        grantLabels: [],
        existing: 'request',
      };
      expect(await store.machines.enroll(input, NOW)).toEqual({ kind: 'spent' });
      expect(await store.tokens.get('old')).toMatchObject({ expiresAt: NOW, usesLeft: null });
      await store.tokens.revoke('old', NOW - 5);
      expect(await store.machines.enroll(input, NOW - 1)).toEqual({ kind: 'spent' });
      expect(await store.machines.list()).toEqual([]);
    });
  });

  describe('jobs and schedules', () => {
    const spec = {
      suites: ['calls'],
      modes: ['gil'],
      labels: [] as string[],
      profile: null,
      runtime: null,
      machineId: null,
    };

    it("claims the oldest matching job: labels a subset of the machine's, machine-bound jobs only by theirs", async () => {
      const { stores } = await fresh();
      const store = stores[0]!;
      const m1 = await store.machines.upsert(fixtureMachine(1), [], NOW);
      const m2 = await store.machines.upsert(fixtureMachine(2), [], NOW);
      const big = await store.jobs.create({ ...spec, labels: ['big'] }, NOW);
      const bound = await store.jobs.create({ ...spec, machineId: m2 }, NOW + 1);
      const plain = await store.jobs.create(spec, NOW + 2);
      const claim = (machineId: number, labels: string[]) =>
        store.jobs.claimNext({ machineId, labels, leaseSeconds: 60, now: NOW + 10 });
      expect(await claim(m1, ['small'])).toMatchObject({ id: plain.id });
      expect(await claim(m1, ['small'])).toBeNull();
      expect(await claim(m1, ['big', 'small'])).toMatchObject({
        id: big.id,
        status: 'running',
        claimedBy: m1,
        claimedAt: NOW + 10,
        leaseExpiresAt: NOW + 10 + 60_000,
        leaseSeconds: 60,
        attempts: 1,
        progress: null,
      });
      expect(await claim(m2, [])).toMatchObject({ id: bound.id });
      expect((await store.jobs.get(big.id))!.holders).toEqual([m1]);
      expect((await store.jobs.list({ machine: m1 })).map((j) => j.id).sort()).toEqual([big.id, plain.id].sort());
    });

    it('hands each job to one caller however many claim at once', async () => {
      const { stores } = await fresh(4);
      const machines: number[] = [];
      for (let i = 0; i < 4; i++) machines.push(await stores[i]!.machines.upsert(fixtureMachine(10 + i), [], NOW));
      const made: number[] = [];
      for (let i = 0; i < 12; i++) made.push((await stores[0]!.jobs.create(spec, NOW + i)).id);
      const claims = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          stores[i % 4]!.jobs.claimNext({ machineId: machines[i % 4]!, labels: [], leaseSeconds: 60, now: NOW + 100 }),
        ),
      );
      const got = claims.filter((j) => j !== null).map((j) => j.id);
      expect(got.sort((x, y) => x - y)).toEqual(made);
      for (const id of made) expect((await stores[0]!.jobs.get(id))!.holders).toHaveLength(1);
    });

    it('changes a job only while the guard holds (compare and set)', async () => {
      const { stores } = await fresh();
      const store = stores[0]!;
      const m1 = await store.machines.upsert(fixtureMachine(1), [], NOW);
      const job = await store.jobs.create(spec, NOW);
      await store.jobs.claimNext({ machineId: m1, labels: [], leaseSeconds: 60, now: NOW });
      expect(await store.jobs.update(job.id, { status: ['queued'] }, { status: 'cancelled' }, NOW + 1)).toBeNull();
      expect(await store.jobs.update(job.id, { claimedBy: m1 + 1 }, { status: 'cancelled' }, NOW + 1)).toBeNull();
      expect(
        await store.jobs.update(job.id, { leaseExpiredBy: NOW + 59_000 }, { status: 'queued' }, NOW + 1),
      ).toBeNull();
      expect(await store.jobs.listExpired(NOW + 59_000)).toEqual([]);
      expect((await store.jobs.listExpired(NOW + 60_000)).map((j) => j.id)).toEqual([job.id]);
      const progress = { done: 1, total: 4, message: 'calls', at: NOW + 2 };
      expect(
        await store.jobs.update(
          job.id,
          { status: ['running'], claimedBy: m1, attempts: 1 },
          { progress, leaseExpiresAt: NOW + 90_000 },
          NOW + 2,
        ),
      ).toMatchObject({ progress, leaseExpiresAt: NOW + 90_000, updatedAt: NOW + 2 });
      expect(await store.jobs.update(job.id + 100, {}, { status: 'failed' }, NOW)).toBeNull();
      const done = await store.jobs.update(
        job.id,
        { status: ['running'] },
        { status: 'completed', runId: 'r', finishedAt: NOW + 3, leaseExpiresAt: null },
        NOW + 3,
      );
      expect(done).toMatchObject({ status: 'completed', runId: 'r', finishedAt: NOW + 3, leaseExpiresAt: null });
    });

    it('makes one job per schedule slot across connections asking at once, and raises the last slot', async () => {
      const { stores } = await fresh(3);
      const s = await stores[0]!.schedules.create(
        {
          name: 'n',
          cron: '0 3 * * *',
          timezone: null,
          suites: ['calls'],
          modes: ['gil'],
          labels: ['big'],
          profile: null,
          runtime: null,
          enabled: true,
          lastSlot: NOW,
        },
        NOW,
      );
      const slot = Date.parse('2025-06-03T03:00:00Z');
      const jobSpec = { ...spec, labels: ['big'] };
      const made = await Promise.all(
        Array.from({ length: 9 }, (_, i) => stores[i % 3]!.jobs.createForSlot(s.id, slot, jobSpec, slot + i)),
      );
      expect(made.filter((j) => j !== null)).toHaveLength(1);
      expect(made.find((j) => j !== null)).toMatchObject({ scheduleId: s.id, slot, labels: ['big'], status: 'queued' });
      expect(await stores[1]!.jobs.list({ schedule: s.id })).toHaveLength(1);
      expect((await stores[2]!.schedules.get(s.id))!.lastSlot).toBe(slot);
      expect(await stores[0]!.jobs.createForSlot(s.id, slot - 86_400_000, jobSpec, slot)).not.toBeNull();
      expect((await stores[0]!.schedules.get(s.id))!.lastSlot).toBe(slot);
      expect(await stores[0]!.schedules.update(s.id, { enabled: false }, NOW + 5)).toMatchObject({
        enabled: false,
        updatedAt: NOW + 5,
      });
      expect(await stores[0]!.schedules.update(s.id + 100, { enabled: false }, NOW)).toBeNull();
      expect(await stores[0]!.schedules.delete(s.id)).toBe(true);
      expect((await stores[0]!.jobs.list({})).every((j) => j.scheduleId === null)).toBe(true);
    });
    it("keeps a job's and a schedule's runtime selector, and a slot's job takes the one it is given", async () => {
      const { stores } = await fresh(2);
      const [a, b] = [stores[0]!, stores[1]!];
      const m1 = await a.machines.upsert(fixtureMachine(1), [], NOW);
      const job = await a.jobs.create({ ...spec, runtime: '3.13.15' }, NOW);
      expect(job.runtime).toBe('3.13.15');
      expect((await b.jobs.get(job.id))!.runtime).toBe('3.13.15');
      expect(await b.jobs.claimNext({ machineId: m1, labels: [], leaseSeconds: 60, now: NOW + 1 })).toMatchObject({
        id: job.id,
        runtime: '3.13.15',
      });
      expect((await a.jobs.create(spec, NOW + 2)).runtime).toBeNull();
      const s = await a.schedules.create(
        {
          name: 'nightly',
          cron: '0 3 * * *',
          timezone: null,
          suites: ['calls'],
          modes: ['gil', 'nogil'],
          labels: [],
          profile: null,
          runtime: 'newest',
          enabled: true,
          lastSlot: NOW,
        },
        NOW,
      );
      expect((await b.schedules.get(s.id))!.runtime).toBe('newest');
      expect((await b.schedules.update(s.id, { runtime: 'cpython-3.13.5-release' }, NOW + 3))!.runtime).toBe(
        'cpython-3.13.5-release',
      );
      expect((await a.schedules.update(s.id, { runtime: null }, NOW + 4))!.runtime).toBeNull();
      const slot = Date.parse('2025-06-03T03:00:00Z');
      const made = await b.jobs.createForSlot(s.id, slot, { ...spec, runtime: 'newest' }, slot);
      expect(made).toMatchObject({ scheduleId: s.id, runtime: 'newest' });
      expect((await a.jobs.list({ schedule: s.id }))[0]!.runtime).toBe('newest');
    });
  });

  describe('annotations', () => {
    it("lists notes of a series: its own, its machine's, and everyone's", async () => {
      const { stores } = await fresh();
      const store = stores[0]!;
      const docs = [fixtureRun({ machine: fixtureMachine(1), seed: 1, startedAt: new Date(NOW) })];
      docs.push(fixtureRun({ machine: fixtureMachine(2), seed: 2, startedAt: new Date(NOW) }));
      for (const doc of docs) await store.runs.insert(doc, input(doc));
      const [s1] = await store.series.list({ machine: 1, limit: 1 });
      const [other] = await store.series.list({ machine: 2, limit: 1 });
      const run = (await store.runs.find(docs[0]!.id))!;
      const note = (at: number, text: string, ref: Partial<{ machineId: number; seriesId: number; runPk: number }>) =>
        store.annotations.create({ at, text, machineId: null, seriesId: null, runPk: null, ...ref }, NOW);
      await note(10, 'everyone', {});
      await note(20, 'machine 1', { machineId: s1!.machineId });
      await note(30, 'series', { seriesId: s1!.id });
      await note(40, 'other series', { seriesId: other!.id });
      await note(50, 'machine 2', { machineId: other!.machineId });
      const onRun = await note(60, 'run', { runPk: run.pk });
      expect((await store.annotations.forSeries(s1!, 0, 100)).map((a) => a.text)).toEqual([
        'everyone',
        'machine 1',
        'series',
        'run',
      ]);
      expect((await store.annotations.forSeries(s1!, 15, 35)).map((a) => a.text)).toEqual(['machine 1', 'series']);
      expect(await store.annotations.get(onRun)).toMatchObject({ runId: docs[0]!.id, at: 60 });
      expect((await store.annotations.list({ run: docs[0]!.id })).map((a) => a.id)).toEqual([onRun]);
      expect((await store.annotations.list({ from: 20, to: 40 })).map((a) => a.text)).toEqual([
        'other series',
        'series',
        'machine 1',
      ]);
      expect(await store.annotations.update(onRun, { text: 'changed', runPk: null }, NOW + 1)).toBe(true);
      expect(await store.annotations.get(onRun)).toMatchObject({ text: 'changed', runId: null, updatedAt: NOW + 1 });
      expect(await store.annotations.update(onRun + 100, { text: 'x' }, NOW)).toBe(false);
      expect(await store.annotations.delete(onRun)).toBe(true);
      expect(await store.annotations.delete(onRun)).toBe(false);
    });
  });
});
