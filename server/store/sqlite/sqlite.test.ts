/**
 * What only the SQLite backend promises, on real temporary files: migrations
 * from empty and from the first migration, WAL and foreign keys, the covering
 * index the series queries read, the samples' byte format, and a row the
 * database refuses rolling the whole run back. (Everything else every backend
 * promises: server/store/contract.test.ts and server/services/services.test.ts.)
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../harness/test-support/index.ts';
import { fixtureMachine, fixtureRun, openServices, snapshot } from '../../test-support/index.ts';
import { openSqliteStore } from './index.ts';
import { MIGRATIONS_DIR } from './open.ts';
import { decodeSamples, encodeSamples } from './rows.ts';

const { dir, remove: cleanup } = tempDir();
afterAll(cleanup);
let files = 0;
const newFile = () => `${dir}/repo-${++files}.db`;
const NOW = Date.parse('2025-06-02T12:00:00Z');
const MIGRATIONS = readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).length;

describe('opening a database', () => {
  it('migrates a new file, in WAL mode with foreign keys on', async () => {
    const file = newFile();
    const store = openSqliteStore(file);
    // WAL persists in the file (read on a second connection); foreign keys are per connection,
    // so they are seen in the store's behaviour: a token of no machine is refused.
    const repo = { sqlite: new Database(file) };
    expect(repo.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    const machine = await store.machines.upsert(fixtureMachine(1), [], NOW);
    await store.tokens.insert(
      { id: 't', secretHash: new Uint8Array(32), role: 'agent', machineId: machine, name: '' },
      NOW,
    );
    repo.sqlite.pragma('foreign_keys = ON');
    repo.sqlite.prepare('DELETE FROM machines').run();
    expect(await store.tokens.get('t')).toBeNull();
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
    repo.sqlite.close();
    await store.close();
    // Opening again applies nothing twice.
    await openSqliteStore(file).close();
    const again = new Database(file);
    expect(again.prepare('SELECT count(*) FROM __drizzle_migrations').pluck().get()).toBe(MIGRATIONS);
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

    await openSqliteStore(file).close();
    const upgraded = new Database(file);
    expect(upgraded.prepare('SELECT count(*) FROM __drizzle_migrations').pluck().get()).toBe(MIGRATIONS);
    const samples = upgraded.prepare('SELECT samples FROM results WHERE id = 1').pluck().get() as Buffer;
    expect(decodeSamples(samples)).toEqual([12.5, 13.25, 11]);
    upgraded.close();
  });

  it('merges the series a runtime change split (one per mode id before issue #15) into one per mode kind', async () => {
    const file = newFile();
    const folder = join(dir, 'before-series-merge');
    mkdirSync(join(folder, 'meta'), { recursive: true });
    const journal = JSON.parse(readFileSync(join(MIGRATIONS_DIR, 'meta', '_journal.json'), 'utf8'));
    const before = journal.entries.filter((e: { tag: string }) => e.tag < '0006_merge_series_across_runtimes');
    for (const e of before) copyFileSync(join(MIGRATIONS_DIR, `${e.tag}.sql`), join(folder, `${e.tag}.sql`));
    writeFileSync(join(folder, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries: before }));
    const old = new Database(file);
    old.pragma('foreign_keys = ON');
    migrate(drizzle(old), { migrationsFolder: folder });
    const run = (pk: number, at: number) =>
      `INSERT INTO runs (pk, id, machine_id, started_at, finished_at, started_at_text, finished_at_text, profile,
         gilbench_version, machine, suites, warnings, result_count, received_at)
         VALUES (${pk}, 'r${pk}', 1, ${at}, ${at + 1}, 't', 't', 'quick', '0', '{}', '[]', '[]', 1, ${at + 2});`;
    const result = (id: number, pk: number, series: number, mode: number, at: number) =>
      `INSERT INTO results (id, run_pk, position, series_id, case_id, mode_id, started_at, status, unit, loop_cost_ns,
         loops, ops_per_loop, processes, wall_ms, warnings) VALUES (${id}, ${pk}, 0, ${series}, 1, ${mode}, ${at}, 'ok', 'ns', 1, 10, 1, 1, 3, '[]');`;
    old.exec(`
      INSERT INTO machines VALUES (1, 'fp000001', 'h', 'os', 'k', 'x64', '{}', 1, '{}', '[]', 0, 0, '[]');
      INSERT INTO runtimes VALUES (1, 1, 'k5', 'cpython-3.13.5', 'cpython', '3.13.5', 0, 1, '', '', NULL, '/p', 'ab');
      INSERT INTO runtimes VALUES (2, 1, 'k15', 'cpython-3.13.15', 'cpython', '3.13.15', 0, 1, '', '', NULL, '/q', 'cd');
      INSERT INTO modes VALUES (1, 1, 'k5', 'cpython-3.13.5/gil', 'gil', '{}');
      INSERT INTO modes VALUES (2, 2, 'k15', 'cpython-3.13.15/gil', 'gil', '{}');
      INSERT INTO suites VALUES (1, 'calls', ''); INSERT INTO benchmarks VALUES (1, 1, 'positional', '');
      INSERT INTO cases VALUES (1, 1, 'arity=0', '{"arity":0}');
      ${run(1, 100)} ${run(2, 200)} ${run(3, 300)}
      INSERT INTO series (id, machine_id, case_id, mode_name, mode, last_started_at, point_count, version)
        VALUES (1, 1, 1, 'cpython-3.13.5/gil', 'gil', 200, 2, 2);
      INSERT INTO series (id, machine_id, case_id, mode_name, mode, last_started_at, point_count, version)
        VALUES (2, 1, 1, 'cpython-3.13.15/gil', 'gil', 300, 1, 7);
      ${result(1, 1, 1, 1, 100)} ${result(2, 2, 1, 1, 200)} ${result(3, 3, 2, 2, 300)}
      INSERT INTO regressions (id, series_id, run_pk, previous_run_pk, kind, change, change_ci_low, change_ci_high,
        confidence, score, before_ns, after_ns, noise, before_count, after_count, method, started_at, detected_at,
        updated_at) VALUES (1, 2, 3, NULL, 'regression', 0.3, 0.2, 0.4, 0.99, 9, 10, 13, 0.01, 5, 2, 'm', 300, 300, 300);
      INSERT INTO annotations (id, at, text, series_id, created_at, updated_at) VALUES (1, 300, 'upgraded', 2, 1, 1);`);
    old.close();

    await openSqliteStore(file).close();
    const db = new Database(file);
    expect(db.prepare('SELECT count(*) FROM __drizzle_migrations').pluck().get()).toBe(MIGRATIONS);
    expect(db.prepare('SELECT id, mode_name, mode, point_count, last_started_at, version FROM series').all()).toEqual([
      { id: 1, mode_name: 'cpython-3.13.15/gil', mode: 'gil', point_count: 3, last_started_at: 300, version: 8 },
    ]);
    expect(db.prepare('SELECT series_id FROM results ORDER BY id').pluck().all()).toEqual([1, 1, 1]);
    expect(db.prepare('SELECT series_id FROM regressions').pluck().all()).toEqual([1]);
    expect(db.prepare('SELECT series_id FROM annotations').pluck().all()).toEqual([1]);
    db.close();
  });

  it('keeps samples exactly (little-endian float64)', () => {
    const samples = [1, 1.5, 1e-300, 123456.789, Math.PI];
    expect(decodeSamples(encodeSamples(samples))).toEqual(samples);
    expect(encodeSamples([1]).toString('hex')).toBe('000000000000f03f');
  });
});

describe('ingest', () => {
  it('stores a run whole or not at all: a failure on the last result leaves nothing', async () => {
    const repo = await openServices(newFile());
    const machine = fixtureMachine(1);
    await repo.ingestRun(fixtureRun({ machine, seed: 1, startedAt: new Date(NOW - 86_400_000) }), {
      uploadedBy: null,
      now: NOW,
    });
    const before = snapshot(repo.store);
    const broken = fixtureRun({ machine: fixtureMachine(2), seed: 2, startedAt: new Date(NOW) });
    // Past the schema's checks, the database refuses the last row (wall time NOT NULL; NaN is stored as NULL).
    broken.results.at(-1)!.wallMs = Number.NaN;
    await expect(repo.ingestRun(broken, { uploadedBy: null, now: NOW })).rejects.toThrow(/NOT NULL/);
    expect(snapshot(repo.store)).toEqual(before);
    // And the caches did not keep ids of rows that were rolled back: the same run, fixed, goes in.
    broken.results.at(-1)!.wallMs = 12;
    expect((await repo.ingestRun(broken, { uploadedBy: null, now: NOW })).created).toBe(true);
    await repo.close();
  });
});
