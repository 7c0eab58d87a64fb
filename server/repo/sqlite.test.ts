/**
 * The SQLite repository on real temporary files: migrations from empty,
 * atomic and idempotent ingest, the detector's cached windows staying right
 * when another process writes, tokens, leases and schedule slots.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterAll, describe, expect, it } from 'vitest';
import { RunDocument } from '../../harness/schema.ts';
import { fixtureHistory, fixtureMachine, fixtureRun } from '../fixtures.ts';
import { MIGRATIONS_DIR } from '../store/sqlite/open.ts';
import { snapshot, tempDir } from '../test-support.ts';
import { decodeSamples, encodeSamples, openSqliteRepository } from './sqlite.ts';

const { dir, cleanup } = tempDir();
afterAll(cleanup);
let files = 0;
const newFile = () => `${dir}/repo-${++files}.db`;
const NOW = Date.parse('2025-06-02T12:00:00Z');
const MIGRATIONS = readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).length;

describe('opening a database', () => {
  it('migrates a new file, in WAL mode with foreign keys on', () => {
    const file = newFile();
    const repo = openSqliteRepository(file);
    expect(repo.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(repo.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    const tables = repo.sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    expect(tables).toEqual(
      expect.arrayContaining(['machines', 'runtimes', 'modes', 'suites', 'benchmarks', 'cases', 'runs', 'results']),
    );
    expect(tables).toEqual(
      expect.arrayContaining(['series', 'regressions', 'annotations', 'schedules', 'jobs', 'tokens']),
    );
    const plan = repo.sqlite
      .prepare(
        'EXPLAIN QUERY PLAN SELECT run_pk FROM results WHERE series_id = 1 AND started_at >= 0 ORDER BY started_at DESC, run_pk DESC LIMIT 10',
      )
      .all() as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING COVERING INDEX results_series_time/);
    repo.close();
    // Opening again applies nothing twice.
    const again = openSqliteRepository(file);
    expect(again.sqlite.prepare('SELECT count(*) FROM __drizzle_migrations').pluck().get()).toBe(MIGRATIONS);
    again.close();
  });

  it('upgrades a database made by the first migration, keeping every sample', async () => {
    const file = newFile();
    // The first migration alone, as an early server made it.
    const folder = join(dir, 'first-migration');
    mkdirSync(join(folder, 'meta'), { recursive: true });
    copyFileSync(join(MIGRATIONS_DIR, '0000_init.sql'), join(folder, '0000_init.sql'));
    const journal = JSON.parse(readFileSync(join(MIGRATIONS_DIR, 'meta', '_journal.json'), 'utf8'));
    writeFileSync(
      join(folder, 'meta', '_journal.json'),
      JSON.stringify({ ...journal, entries: journal.entries.slice(0, 1) }),
    );
    const old = new Database(file);
    old.pragma('foreign_keys = ON');
    migrate(drizzle(old), { migrationsFolder: folder });
    old.exec(`
      INSERT INTO machines VALUES (1, 'fp000001', 'h', 'os', 'k', 'x64', '{}', 1, '{}', '[]', 0, 0);
      INSERT INTO runtimes VALUES (1, 1, 'k', 'cpython-3.13.5', 'cpython', '3.13.5', 0, 1, '', '', NULL, '/p', 'ab');
      INSERT INTO modes VALUES (1, 1, 'k', 'cpython-3.13.5/gil', 'gil', '{}');
      INSERT INTO suites VALUES (1, 'calls', ''); INSERT INTO benchmarks VALUES (1, 1, 'positional', '');
      INSERT INTO cases VALUES (1, 1, 'arity=0', '{"arity":0}');
      INSERT INTO runs (pk, id, machine_id, started_at, finished_at, started_at_text, finished_at_text, profile,
        gilbench_version, machine, suites, warnings, result_count, received_at)
        VALUES (1, 'r1', 1, 5, 6, 't', 't', 'quick', '0', '{}', '[]', '[]', 1, 7);
      INSERT INTO series (id, machine_id, case_id, mode_name, mode) VALUES (1, 1, 1, 'cpython-3.13.5/gil', 'gil');
      INSERT INTO results (id, run_pk, position, series_id, case_id, mode_id, started_at, status, unit, loop_cost_ns,
        loops, ops_per_loop, processes, wall_ms, warnings) VALUES (1, 1, 0, 1, 1, 1, 5, 'ok', 'ns', 1, 10, 1, 1, 3, '[]');`);
    old.prepare('INSERT INTO result_samples VALUES (1, ?)').run(encodeSamples([12.5, 13.25, 11]));
    old.close();

    const repo = openSqliteRepository(file);
    expect(repo.sqlite.prepare('SELECT count(*) FROM __drizzle_migrations').pluck().get()).toBe(MIGRATIONS);
    const samples = repo.sqlite.prepare('SELECT samples FROM results WHERE id = 1').pluck().get() as Buffer;
    expect(decodeSamples(samples)).toEqual([12.5, 13.25, 11]);
    repo.close();
  });

  it('keeps samples exactly (little-endian float64)', () => {
    const samples = [1, 1.5, 1e-300, 123456.789, Math.PI];
    expect(decodeSamples(encodeSamples(samples))).toEqual(samples);
    expect(encodeSamples([1]).toString('hex')).toBe('000000000000f03f');
  });
});

describe('ingest', () => {
  it('stores a run whole or not at all: a failure on the last result leaves nothing', async () => {
    const repo = openSqliteRepository(newFile());
    const machine = fixtureMachine(1);
    await repo.ingestRun(fixtureRun({ machine, seed: 1, startedAt: new Date(NOW - 86_400_000) }), {
      uploadedBy: null,
      now: NOW,
    });
    const before = snapshot(repo);
    const broken = fixtureRun({ machine: fixtureMachine(2), seed: 2, startedAt: new Date(NOW) });
    // Past the schema's checks, the database refuses the last row (wall time NOT NULL; NaN is stored as NULL).
    broken.results.at(-1)!.wallMs = Number.NaN;
    await expect(repo.ingestRun(broken, { uploadedBy: null, now: NOW })).rejects.toThrow(/NOT NULL/);
    expect(snapshot(repo)).toEqual(before);
    // And the caches did not keep ids of rows that were rolled back: the same run, fixed, goes in.
    broken.results.at(-1)!.wallMs = 12;
    expect((await repo.ingestRun(broken, { uploadedBy: null, now: NOW })).created).toBe(true);
    repo.close();
  });

  it('is idempotent by run id, and refuses the id from another machine', async () => {
    const repo = openSqliteRepository(newFile());
    const doc = fixtureRun({ machine: fixtureMachine(1), seed: 3, startedAt: new Date(NOW) });
    const first = await repo.ingestRun(doc, { uploadedBy: null, now: NOW });
    const after = snapshot(repo);
    const second = await repo.ingestRun(doc, { uploadedBy: null, now: NOW + 1000 });
    expect(second.created).toBe(false);
    expect(second.run).toEqual(first.run);
    expect(snapshot(repo)).toEqual(after);
    await expect(
      repo.ingestRun({ ...doc, machine: fixtureMachine(9) }, { uploadedBy: null, now: NOW }),
    ).rejects.toThrow(/another machine/);
    repo.close();
  });

  it('gives back the uploaded document exactly', async () => {
    const repo = openSqliteRepository(newFile());
    const doc = RunDocument.parse(
      fixtureRun({ machine: fixtureMachine(1), seed: 4, startedAt: new Date(NOW), jobId: '17' }),
    );
    doc.results[2]!.status = 'error';
    doc.results[2]!.error = { message: 'worker crashed', stderrTail: 'Segmentation fault' };
    doc.results[3]!.stats = null;
    doc.warnings.push({ code: 'machine-busy', message: 'load 3.1' });
    await repo.ingestRun(doc, { uploadedBy: null, now: NOW });
    expect(await repo.getRunDocument(doc.id)).toEqual(doc);
    repo.close();
  });

  it('keeps series counts and the detector window right when another connection writes', async () => {
    const file = newFile();
    const a = openSqliteRepository(file);
    const b = openSqliteRepository(file);
    const docs = fixtureHistory({ machine: fixtureMachine(1), runs: 6 });
    for (const doc of docs.slice(0, 4)) await a.ingestRun(doc, { uploadedBy: null, now: NOW });
    const [series] = await a.listSeries({ suite: 'single-thread', benchmark: 'nbody', mode: 'gil' });
    expect((await a.detectionWindow(series!.id, 80)).points).toHaveLength(4); // now cached in a
    await b.ingestRun(docs[4]!, { uploadedBy: null, now: NOW }); // a does not see this happen
    await a.ingestRun(docs[5]!, { uploadedBy: null, now: NOW });
    const window = await a.detectionWindow(series!.id, 80);
    expect(window.points).toHaveLength(6);
    const fresh = openSqliteRepository(file);
    expect(await fresh.detectionWindow(series!.id, 80)).toMatchObject({ points: window.points, runPks: window.runPks });
    expect((await fresh.getSeries(series!.id))!.points).toBe(6);
    for (const r of [a, b, fresh]) r.close();
  });

  it("serves a series' history from memory only while no one changed the series", async () => {
    const file = newFile();
    const a = openSqliteRepository(file);
    const b = openSqliteRepository(file);
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
    a.close();
    b.close();
  });

  it.each([
    ['kept whole in memory', {}],
    ['read per request (a series too long to keep)', { wholeSeriesPoints: 0 }],
  ])("cuts any range of a series' history the same as reading its points one by one: %s", async (_name, options) => {
    const repo = openSqliteRepository(newFile(), options);
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
    repo.close();
  });

  it('orders a late upload by its start, not by its arrival', async () => {
    const repo = openSqliteRepository(newFile());
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
    repo.close();
  });
});

describe('tokens', () => {
  it('stores only a hash, verifies in constant time, and honours revocation', async () => {
    const repo = openSqliteRepository(newFile());
    const { token, info } = await repo.createToken({ role: 'admin', name: 'ci' }, NOW);
    const stored = repo.sqlite.prepare('SELECT * FROM tokens').all() as Array<Record<string, unknown>>;
    expect(JSON.stringify(stored)).not.toContain(token.slice(3));
    expect((await repo.verifyToken(token, NOW))?.role).toBe('admin');
    expect(await repo.verifyToken(`${token}x`, NOW)).toBeNull();
    expect(await repo.verifyToken('short', NOW)).toBeNull();
    await repo.revokeToken(info.id, NOW);
    expect(await repo.verifyToken(token, NOW)).toBeNull();
    repo.close();
  });

  it('imports a token chosen outside once, and refuses a short one', async () => {
    const repo = openSqliteRepository(newFile());
    const chosen = 'gb_webtest_0123456789abcdef0123';
    await repo.importToken(chosen, { role: 'admin' }, NOW);
    await repo.importToken(chosen, { role: 'admin' }, NOW);
    expect(await repo.listTokens()).toHaveLength(1);
    expect((await repo.verifyToken(chosen, NOW))?.role).toBe('admin');
    await expect(repo.importToken('too-short', { role: 'admin' }, NOW)).rejects.toThrow(/24 to 512/);
    repo.close();
  });

  it('gives an enrolled machine one live agent token', async () => {
    const repo = openSqliteRepository(newFile());
    const machine = fixtureMachine(5);
    const first = await repo.enrollMachine(machine, NOW);
    const second = await repo.enrollMachine({ ...machine, hostname: 'renamed' }, NOW + 1);
    expect(second.machine.id).toBe(first.machine.id);
    expect(second.machine.hostname).toBe('renamed');
    expect(await repo.verifyToken(first.token, NOW)).toBeNull();
    expect(await repo.verifyToken(second.token, NOW)).toMatchObject({ role: 'agent', machineId: first.machine.id });
    repo.close();
  });
});

describe('jobs', () => {
  it('leases a job to one machine; an expired lease puts it back; three expiries fail it', async () => {
    const repo = openSqliteRepository(newFile());
    const m1 = (await repo.enrollMachine(fixtureMachine(1), NOW)).machine.id;
    const m2 = (await repo.enrollMachine(fixtureMachine(2), NOW)).machine.id;
    const job = await repo.createJob({ suites: ['calls'], modes: ['gil'], labels: ['big'] }, NOW);
    expect(await repo.claimJob(m1, ['small'], 60, NOW)).toBeNull();
    expect(await repo.claimJob(m1, ['big', 'small'], 60, NOW)).toMatchObject({
      id: job.id,
      claimedBy: m1,
      attempts: 1,
    });
    expect(await repo.claimJob(m2, ['big'], 60, NOW)).toBeNull();
    let t = NOW;
    for (const [machine, attempt] of [
      [m2, 2],
      [m1, 3],
    ] as const) {
      t += 61_000;
      expect(await repo.requeueExpired(t, 3)).toBe(1);
      expect((await repo.getJob(job.id))!.status).toBe('queued');
      expect(await repo.claimJob(machine, ['big'], 60, t)).toMatchObject({ claimedBy: machine, attempts: attempt });
    }
    t += 61_000;
    await repo.requeueExpired(t, 3);
    expect(await repo.getJob(job.id)).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/expired 3 times/),
    });
    repo.close();
  });

  it('makes one job per schedule slot, however often it is asked', async () => {
    const file = newFile();
    const repo = openSqliteRepository(file);
    const s = await repo.createSchedule({ name: 'n', cron: '0 3 * * *', suites: ['calls'], modes: ['gil'] }, NOW);
    const slot = Date.parse('2025-06-03T03:00:00Z');
    expect(await repo.createScheduledJob(s.id, slot, slot + 5)).not.toBeNull();
    expect(await repo.createScheduledJob(s.id, slot, slot + 10)).toBeNull();
    const other = openSqliteRepository(file);
    expect(await other.createScheduledJob(s.id, slot, slot + 20)).toBeNull();
    expect(await repo.listJobs({ schedule: s.id })).toHaveLength(1);
    expect((await repo.getSchedule(s.id))!.lastSlot).toBe(slot);
    repo.close();
    other.close();
  });
});
