/**
 * The services over every backend in STORE_BACKENDS, unchanged: atomic and
 * idempotent ingest, the detector's cached windows and the history cache
 * staying right when another process writes, tokens, leases and schedule
 * slots. "Another process" is a second store opened on the same database.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { RunDocument } from '../../harness/schema.ts';
import { createDetection } from '../detection.ts';
import { createDetector } from '../detector/detector.ts';
import { STORE_BACKENDS, snapshotOf, type TestDatabase } from '../store/testing.ts';
import { FIXTURE_CASES, fixtureHistory, fixtureMachine, fixtureRun, onRelease } from '../test-support/index.ts';
import { createServices, DEFAULT_MAX_LEASE_SECONDS, type Services, type ServicesOptions } from './index.ts';

const NOW = Date.parse('2025-06-02T12:00:00Z');

describe.each(STORE_BACKENDS)('services on $name', (backend) => {
  const open: Array<{ db: TestDatabase; services: Services[] }> = [];
  afterAll(async () => {
    for (const { db, services } of open) {
      for (const s of services) await s.close();
      await db.drop();
    }
  });
  /** Services over a new store on `db` (a new connection, as another process would have). */
  async function connect(db: TestDatabase, options: ServicesOptions = {}): Promise<Services> {
    const services = createServices(await db.open(), options);
    open.find((o) => o.db === db)!.services.push(services);
    return services;
  }
  /** A new empty database and services over it. */
  async function fresh(options: ServicesOptions = {}): Promise<{ db: TestDatabase; repo: Services }> {
    const db = await backend.create();
    open.push({ db, services: [] });
    return { db, repo: await connect(db, options) };
  }

  describe('ingest', () => {
    it('is idempotent by run id, and refuses the id from another machine', async () => {
      const { repo, db } = await fresh();
      const doc = fixtureRun({ machine: fixtureMachine(1), seed: 3, startedAt: new Date(NOW) });
      const first = await repo.ingestRun(doc, { uploadedBy: null, now: NOW });
      const after = await snapshotOf(db);
      const second = await repo.ingestRun(doc, { uploadedBy: null, now: NOW + 1000 });
      expect(second.created).toBe(false);
      expect(second.run).toEqual(first.run);
      expect(await snapshotOf(db)).toEqual(after);
      await expect(
        repo.ingestRun({ ...doc, machine: fixtureMachine(9) }, { uploadedBy: null, now: NOW }),
      ).rejects.toThrow(/another machine/);
    });

    it('gives back the uploaded document exactly', async () => {
      const { repo } = await fresh();
      const doc = RunDocument.parse(
        fixtureRun({ machine: fixtureMachine(1), seed: 4, startedAt: new Date(NOW), jobId: '17' }),
      );
      doc.results[2]!.status = 'error';
      doc.results[2]!.error = { message: 'worker crashed', stderrTail: 'Segmentation fault' };
      doc.results[3]!.stats = null;
      doc.warnings.push({ code: 'machine-busy', message: 'load 3.1' });
      await repo.ingestRun(doc, { uploadedBy: null, now: NOW });
      expect(await repo.getRunDocument(doc.id)).toEqual(doc);
    });

    it('keeps series counts and the detector window right when another connection writes', async () => {
      const { repo: a, db } = await fresh();
      const b = await connect(db);
      const docs = fixtureHistory({ machine: fixtureMachine(1), runs: 6 });
      for (const doc of docs.slice(0, 4)) await a.ingestRun(doc, { uploadedBy: null, now: NOW });
      const [series] = await a.listSeries({ suite: 'single-thread', benchmark: 'nbody', mode: 'gil' });
      expect((await a.detectionWindow(series!.id, 80)).points).toHaveLength(4); // now cached in a
      await b.ingestRun(docs[4]!, { uploadedBy: null, now: NOW }); // a does not see this happen
      await a.ingestRun(docs[5]!, { uploadedBy: null, now: NOW });
      const window = await a.detectionWindow(series!.id, 80);
      expect(window.points).toHaveLength(6);
      const later = await connect(db);
      expect(await later.detectionWindow(series!.id, 80)).toMatchObject({
        points: window.points,
        runPks: window.runPks,
      });
      expect((await later.getSeries(series!.id))!.points).toBe(6);
    });

    it("serves a series' history from memory only while no one changed the series", async () => {
      const { repo: a, db } = await fresh();
      const b = await connect(db);
      const docs = fixtureHistory({ machine: fixtureMachine(1), runs: 4 });
      for (const doc of docs.slice(0, 2)) await a.ingestRun(doc, { uploadedBy: null, now: NOW });
      const [series] = await a.listSeries({ suite: 'calls', mode: 'gil', limit: 1 });
      const runIds = async () =>
        (JSON.parse((await a.seriesHistoryJson(series!.id, {}))!) as { points: { runId: string[] } }).points.runId;
      expect(await runIds()).toEqual(docs.slice(0, 2).map((d) => d.id));
      expect(await runIds()).toEqual(docs.slice(0, 2).map((d) => d.id)); // from memory
      await b.ingestRun(docs[2]!, { uploadedBy: null, now: NOW }); // another process
      expect(await runIds()).toEqual(docs.slice(0, 3).map((d) => d.id));
      await a.deleteRun(docs[0]!.id);
      expect(await runIds()).toEqual(docs.slice(1, 3).map((d) => d.id));
    });

    it.each([
      ['kept whole in memory', {}],
      ['read per request (a series too long to keep)', { wholeSeriesPoints: 0 }],
    ])("cuts any range of a series' history the same as reading its points one by one: %s", async (_name, options) => {
      const { repo } = await fresh(options);
      const docs = fixtureHistory({ machine: fixtureMachine(1), runs: 7 });
      // Two runs at the same time: the run's key orders them.
      docs[4]!.startedAt = docs[3]!.startedAt;
      for (const doc of docs) await repo.ingestRun(doc, { uploadedBy: null, now: NOW });
      const [series] = await repo.listSeries({ suite: 'calls', mode: 'gil', limit: 1 });
      const times = docs.map((d) => Date.parse(d.startedAt));
      const ranges = [
        {},
        { limit: 1 },
        { limit: 3 },
        { limit: 100 },
        { from: times[3] },
        { to: times[3] },
        { from: times[3], to: times[3] },
        { from: times[1]! + 1, to: times[5]! - 1, limit: 2 },
        { from: times[6]! + 1 },
        { to: times[0]! - 1 },
      ];
      for (const range of ranges) {
        for (let twice = 0; twice < 2; twice++) {
          const json = JSON.parse((await repo.seriesHistoryJson(series!.id, range))!);
          const view = (await repo.seriesHistory(series!.id, range))!;
          const columns = Object.fromEntries(
            (['runId', 'at', 'status', 'n', 'median', 'ciLow', 'ciHigh'] as const).map((k) => [
              k,
              view.points.map((p) => p[k]),
            ]),
          );
          expect(json.points, JSON.stringify(range)).toStrictEqual(columns);
        }
      }
    });

    it('orders a late upload by its start, not by its arrival', async () => {
      const { repo } = await fresh();
      const docs = fixtureHistory({ machine: fixtureMachine(1), runs: 5 });
      for (const i of [0, 1, 3, 4, 2]) await repo.ingestRun(docs[i]!, { uploadedBy: null, now: NOW });
      const [series] = await repo.listSeries({ suite: 'calls', mode: 'nogil', limit: 1 });
      const history = await repo.seriesHistory(series!.id, {});
      expect(history!.points.map((p) => p.runId)).toEqual(docs.map((d) => d.id));
      const window = await repo.detectionWindow(series!.id, 80);
      expect(window.points.map((p) => p.level)).toEqual(
        docs.map((d) => {
          const r = d.results.find((x) => x.suite === 'calls' && x.mode.endsWith('/nogil') && x.params.arity === 0)!;
          const sorted = [...r.samples].sort((x, y) => x - y);
          const mid = sorted.length >> 1;
          return (sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2) - r.loopCostNs;
        }),
      );
    });
  });

  describe('across runtime releases', () => {
    it('keeps one series per case and mode kind across a release change, marks the change in the history, and says a change found there is the runtime’s', async () => {
      const { repo } = await fresh();
      const cases = FIXTURE_CASES.filter((c) => c.suite === 'calls').slice(0, 1);
      // Ten nightlies on 3.13.5, then three on 3.13.15 that are 30% slower in every mode.
      const docs = fixtureHistory({
        machine: fixtureMachine(1),
        runs: 13,
        cases,
        step: { at: 10, factor: 1.3, match: () => true },
      })
        .map((doc, i) => (i >= 10 ? onRelease(doc, '3.13.15') : doc))
        // Run 5 on a rebuilt 3.13.5 (another executable, the same name): not a runtime change.
        .map((doc, i) =>
          i === 5
            ? { ...doc, modes: doc.modes.map((m) => ({ ...m, runtime: { ...m.runtime, sha256: 'f'.repeat(64) } })) }
            : doc,
        );
      const detection = createDetection({ repo, detector: createDetector() });
      for (const doc of docs) {
        const outcome = await repo.ingestRun(doc, { uploadedBy: null, now: NOW });
        if (outcome.created) await detection.afterIngest(outcome.seriesIds, outcome.runPk, NOW);
      }
      const series = await repo.listSeries({ suite: 'calls', limit: 100 });
      expect(series.map((s) => [s.mode, s.modeId, s.points]).sort()).toEqual([
        ['ft-gil', 'cpython-3.13.15t/ft-gil', 13],
        ['gil', 'cpython-3.13.15/gil', 13],
        ['nogil', 'cpython-3.13.15t/nogil', 13],
      ]);
      const gil = series.find((s) => s.mode === 'gil')!;
      const change = { at: Date.parse(docs[10]!.startedAt), runId: docs[10]!.id };
      const expected = [{ ...change, from: 'cpython-3.13.5/gil', to: 'cpython-3.13.15/gil' }];
      expect((await repo.seriesHistory(gil.id, {}))!.runtimeChanges).toEqual(expected);
      expect(JSON.parse((await repo.seriesHistoryJson(gil.id, {}))!).runtimeChanges).toEqual(expected);
      expect((await repo.seriesHistory(gil.id, { to: change.at - 1 }))!.runtimeChanges).toEqual([]);
      // The detector sees the step (the series goes on), and the change it reports names the runtimes.
      const found = await repo.listRegressions({ series: gil.id });
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({
        kind: 'regression',
        runId: docs[10]!.id,
        modeId: 'cpython-3.13.15/gil',
        runtimeChange: { from: 'cpython-3.13.5/gil', to: 'cpython-3.13.15/gil' },
      });
    });
  });

  describe('tokens', () => {
    it('stores only a hash, verifies in constant time, and honours revocation', async () => {
      const { repo, db } = await fresh();
      const { token, info } = await repo.createToken({ role: 'admin', name: 'ci' }, NOW);
      const stored = await db.tables();
      expect(JSON.stringify(stored)).not.toContain(token.slice(3));
      expect((await repo.verifyToken(token, NOW))?.role).toBe('admin');
      expect(await repo.verifyToken(`${token}x`, NOW)).toBeNull();
      expect(await repo.verifyToken('short', NOW)).toBeNull();
      await repo.revokeToken(info.id, NOW);
      expect(await repo.verifyToken(token, NOW)).toBeNull();
    });

    it('imports a token chosen outside once, and refuses a short one', async () => {
      const { repo } = await fresh();
      const chosen = 'gb_webtest_0123456789abcdef0123';
      await repo.importToken(chosen, { role: 'admin' }, NOW);
      await repo.importToken(chosen, { role: 'admin' }, NOW);
      expect(await repo.listTokens()).toHaveLength(1);
      expect((await repo.verifyToken(chosen, NOW))?.role).toBe('admin');
      await expect(repo.importToken('too-short', { role: 'admin' }, NOW)).rejects.toThrow(/24 to 512/);
    });

    it('gives an enrolled machine one live agent token', async () => {
      const { repo } = await fresh();
      const machine = fixtureMachine(5);
      const first = await repo.enrollMachine(machine, NOW);
      const second = await repo.enrollMachine({ ...machine, hostname: 'renamed' }, NOW + 1);
      expect(second.machine.id).toBe(first.machine.id);
      expect(second.machine.hostname).toBe('renamed');
      expect(await repo.verifyToken(first.token, NOW)).toBeNull();
      expect(await repo.verifyToken(second.token, NOW)).toMatchObject({ role: 'agent', machineId: first.machine.id });
    });
  });

  describe('enrollment, labels and leases (issue 14)', () => {
    it('an enrollment token makes new machines only: an enrolled fingerprint leaves a request, its agent keeps working', async () => {
      const { repo } = await fresh();
      const machine = fixtureMachine(7, ['declared']);
      const real = await repo.enrollMachine(machine, NOW);
      const { token: enroll, info } = await repo.createToken({ role: 'enroll', uses: 2, labels: ['granted'] }, NOW);
      const taker = await repo.enrollMachine({ ...machine, hostname: 'taker' }, NOW + 1, {
        role: 'enroll',
        tokenId: info.id,
      });
      expect(taker.request).toMatchObject({ status: 'pending', machineId: real.machine.id });
      expect(taker.machine.hostname).toBe(machine.hostname);
      expect(await repo.verifyToken(real.token, NOW + 2)).toMatchObject({ machineId: real.machine.id });
      expect(await repo.verifyToken(taker.token, NOW + 2)).toBeNull();
      // One use was spent on the request; the second makes a new machine with the token's labels granted.
      const fresh2 = await repo.enrollMachine(fixtureMachine(8, ['mine']), NOW + 3, {
        role: 'enroll',
        tokenId: info.id,
      });
      expect(fresh2.request).toBeNull();
      expect(fresh2.machine).toMatchObject({ labels: ['granted'], declaredLabels: ['mine'] });
      expect(await repo.verifyToken(enroll, NOW + 4)).toBeNull();
      await expect(
        repo.enrollMachine(fixtureMachine(9), NOW + 5, { role: 'enroll', tokenId: info.id }),
      ).rejects.toThrow(/no use left/);
      expect(await repo.listMachines()).toHaveLength(2);

      // An admin approves: the caller's token becomes the machine's, the real agent's is revoked.
      const approved = await repo.decideEnrollment(taker.request!.id, 'approved', NOW + 6);
      expect(approved).toMatchObject({ status: 'approved', decidedAt: NOW + 6 });
      expect(await repo.verifyToken(taker.token, NOW + 7)).toMatchObject({ machineId: real.machine.id });
      expect(await repo.verifyToken(real.token, NOW + 7)).toBeNull();
      expect((await repo.getMachine(real.machine.id))!.hostname).toBe('taker');
      await expect(repo.decideEnrollment(taker.request!.id, 'rejected', NOW + 8)).rejects.toThrow(/approved already/);
    });

    it("an agent token re-enrolls its own machine (the proof), never another's", async () => {
      const { repo } = await fresh();
      const a = await repo.enrollMachine(fixtureMachine(1), NOW);
      const b = await repo.enrollMachine(fixtureMachine(2), NOW);
      await expect(
        repo.enrollMachine(fixtureMachine(2), NOW + 1, { role: 'agent', machineId: a.machine.id }),
      ).rejects.toThrow(/its own machine only/);
      const again = await repo.enrollMachine(fixtureMachine(1), NOW + 2, { role: 'agent', machineId: a.machine.id });
      expect(again).toMatchObject({ request: null, machine: { id: a.machine.id } });
      expect(await repo.verifyToken(a.token, NOW + 3)).toBeNull();
      expect(await repo.verifyToken(b.token, NOW + 3)).not.toBeNull();
    });

    it('declared labels grant nothing until accepted; a claim gets at most the capped lease', async () => {
      const { repo } = await fresh();
      const m = (await repo.enrollMachine(fixtureMachine(3, ['gpu']), NOW)).machine;
      expect(m).toMatchObject({ labels: [], declaredLabels: ['gpu'] });
      const job = await repo.createJob({ suites: ['calls'], modes: ['gil'], labels: ['gpu'] }, NOW);
      expect(await repo.claimJob(m.id, 600, NOW)).toBeNull();
      await expect(repo.setMachineLabels(m.id, { accept: ['tpu'] }, NOW)).rejects.toThrow(/did not declare tpu/);
      expect((await repo.setMachineLabels(m.id, { accept: ['gpu'] }, NOW)).labels).toEqual(['gpu']);
      const claimed = await repo.claimJob(m.id, 7 * 86_400, NOW);
      expect(claimed).toMatchObject({ id: job.id, leaseSeconds: DEFAULT_MAX_LEASE_SECONDS });
      expect(claimed!.leaseExpiresAt).toBe(NOW + DEFAULT_MAX_LEASE_SECONDS * 1000);
    });

    it('tokens expire; an expired one is refused', async () => {
      const { repo } = await fresh();
      const { token, info } = await repo.createToken({ role: 'admin', expiresAt: NOW + 1000 }, NOW);
      expect(info).toMatchObject({ expiresAt: NOW + 1000, usesLeft: null, labels: [] });
      expect(await repo.verifyToken(token, NOW + 999)).not.toBeNull();
      expect(await repo.verifyToken(token, NOW + 1000)).toBeNull();
      await expect(repo.createToken({ role: 'admin', uses: 3 }, NOW)).rejects.toThrow(/only an enrollment token/);
      await expect(repo.createToken({ role: 'enroll', expiresAt: NOW - 1 }, NOW)).rejects.toThrow(/future/);
      expect((await repo.createToken({ role: 'enroll' }, NOW)).info.usesLeft).toBe(1);
    });
  });

  describe('jobs', () => {
    it('leases a job to one machine; an expired lease puts it back; three expiries fail it', async () => {
      const { repo } = await fresh();
      const m1 = (await repo.enrollMachine(fixtureMachine(1), NOW)).machine.id;
      const m2 = (await repo.enrollMachine(fixtureMachine(2), NOW)).machine.id;
      const job = await repo.createJob({ suites: ['calls'], modes: ['gil'], labels: ['big'] }, NOW);
      await repo.setMachineLabels(m1, ['small'], NOW);
      expect(await repo.claimJob(m1, 60, NOW)).toBeNull();
      await repo.setMachineLabels(m1, ['big', 'small'], NOW);
      await repo.setMachineLabels(m2, ['big'], NOW);
      expect(await repo.claimJob(m1, 60, NOW)).toMatchObject({
        id: job.id,
        claimedBy: m1,
        attempts: 1,
      });
      expect(await repo.claimJob(m2, 60, NOW)).toBeNull();
      let t = NOW;
      for (const [machine, attempt] of [
        [m2, 2],
        [m1, 3],
      ] as const) {
        t += 61_000;
        expect(await repo.requeueExpired(t, 3)).toBe(1);
        expect((await repo.getJob(job.id))!.status).toBe('queued');
        expect(await repo.claimJob(machine, 60, t)).toMatchObject({ claimedBy: machine, attempts: attempt });
      }
      t += 61_000;
      await repo.requeueExpired(t, 3);
      expect(await repo.getJob(job.id)).toMatchObject({
        status: 'failed',
        error: expect.stringMatching(/expired 3 times/),
      });
    });

    it('makes one job per schedule slot, however often it is asked', async () => {
      const { repo, db } = await fresh();
      const s = await repo.createSchedule({ name: 'n', cron: '0 3 * * *', suites: ['calls'], modes: ['gil'] }, NOW);
      const slot = Date.parse('2025-06-03T03:00:00Z');
      expect(await repo.createScheduledJob(s.id, slot, slot + 5)).not.toBeNull();
      expect(await repo.createScheduledJob(s.id, slot, slot + 10)).toBeNull();
      const other = await connect(db);
      expect(await other.createScheduledJob(s.id, slot, slot + 20)).toBeNull();
      expect(await repo.listJobs({ schedule: s.id })).toHaveLength(1);
      expect((await repo.getSchedule(s.id))!.lastSlot).toBe(slot);
    });

    it("gives a slot's job the schedule's runtime selector, as it is when the slot comes", async () => {
      const { repo } = await fresh();
      const s = await repo.createSchedule(
        { name: 'n', cron: '0 3 * * *', suites: ['calls'], modes: ['gil', 'nogil'], runtime: 'newest' },
        NOW,
      );
      expect(s.runtime).toBe('newest');
      const slot = Date.parse('2025-06-03T03:00:00Z');
      expect(await repo.createScheduledJob(s.id, slot, slot)).toMatchObject({ runtime: 'newest' });
      await repo.updateSchedule(s.id, { runtime: '3.13.15' }, slot + 1);
      const next = slot + 86_400_000;
      expect(await repo.createScheduledJob(s.id, next, next)).toMatchObject({ runtime: '3.13.15' });
      expect((await repo.createJob({ suites: ['calls'], modes: ['gil'] }, next)).runtime).toBeNull();
    });
  });
});
