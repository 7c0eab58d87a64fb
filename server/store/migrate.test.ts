/**
 * `gilbench server migrate` on a database made by real runs (selftest, quick profile, real
 * interpreters), into a PostgreSQL database of the test run's private cluster.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunDocument } from '../../harness/schema.ts';
import { runCli, tempDir } from '../../harness/test-support/index.ts';
import { digestMatches, generateToken, hashToken } from '../auth/tokens.ts';
import { pointFromSamples } from '../detector/point.ts';
import type { Store } from './core/store.ts';
import { MigrateRefused, migrateSqliteToPostgres, postgresChecksums, sqliteChecksums } from './migrate.ts';
import { openPostgresStore } from './postgres/index.ts';
import { usePostgresDatabase } from './postgres/test/database.ts';
import { postgresTables } from './postgres/testing.ts';
import { openSqliteStore } from './sqlite/index.ts';
import { openDatabase } from './sqlite/open.ts';

const pg = usePostgresDatabase();
const { dir, remove: cleanup } = tempDir('gilbench-migrate-');
const file = join(dir, 'source.db');
const docs: RunDocument[] = [];
let secret = '';
let tokenId = '';

/** Stores `doc` as the ingest service would: the detector's point computed from the samples. */
async function ingest(store: Store, doc: RunDocument, now: number) {
  return store.runs.insert(doc, {
    uploadedBy: tokenId,
    now,
    points: doc.results.map((r) => (r.status === 'ok' ? pointFromSamples(r.samples, r.loopCostNs) : null)),
    addLabels: doc.machine.labels ?? [],
  });
}

beforeAll(async () => {
  for (let i = 0; i < 2; i++) {
    const out = join(dir, `run-${i}.json`);
    const run = await runCli([
      'run',
      '--suite',
      'selftest',
      '--mode',
      'gil,nogil',
      '--profile',
      'quick',
      '--json',
      out,
    ]);
    expect(run.code, run.stderr).toBe(0);
    docs.push(RunDocument.parse(JSON.parse(readFileSync(out, 'utf8'))));
  }
  const store = openSqliteStore(file);
  try {
    const now = Date.now();
    secret = generateToken();
    const { id, digest } = hashToken(secret);
    tokenId = id;
    await store.tokens.insert({ id, secretHash: digest, role: 'admin', machineId: null, name: 'ci' }, now);
    let last: Awaited<ReturnType<typeof ingest>> | null = null;
    for (const doc of docs) last = await ingest(store, doc, now);
    if (!last?.created) throw new Error('the second run was not stored');
    const [series] = await store.series.list({ limit: 1 });
    await store.annotations.create(
      { at: now, text: 'kernel upgrade', machineId: series!.machineId, seriesId: null, runPk: last.runPk },
      now,
    );
    const schedule = await store.schedules.create(
      {
        name: 'nightly',
        cron: '0 3 * * *',
        timezone: null,
        suites: ['selftest'],
        modes: ['gil'],
        labels: [],
        profile: 'quick',
        runtime: 'newest',
        enabled: true,
        lastSlot: now,
      },
      now,
    );
    await store.jobs.createForSlot(
      schedule.id,
      now + 1000,
      { suites: ['selftest'], modes: ['gil'], labels: [], profile: 'quick', runtime: '3.13.15', machineId: null },
      now,
    );
    await store.jobs.claimNext({ machineId: series!.machineId, labels: [], leaseSeconds: 600, now });
    await store.regressions.insert(
      {
        seriesId: series!.id,
        runPk: last.runPk,
        previousRunPk: null,
        detectedRunPk: last.runPk,
        kind: 'regression',
        change: 0.1,
        changeCiLow: 0.05,
        changeCiHigh: 0.15,
        confidence: 0.99,
        score: 4,
        beforeNs: 10,
        afterNs: 11,
        noise: 0.01,
        beforeCount: 1,
        afterCount: 1,
        method: 'test',
      },
      now,
    );
  } finally {
    await store.close();
  }
}, 300_000);

afterAll(() => cleanup());

function sqliteChecksumsOf(path: string) {
  const source = openDatabase(path);
  try {
    return sqliteChecksums(source.sqlite);
  } finally {
    source.close();
  }
}

describe('gilbench server migrate', () => {
  it('copies every row, keeps ids, documents and tokens, and verifies counts and checksums', async () => {
    const progress: string[] = [];
    const report = await migrateSqliteToPostgres({
      from: file,
      to: pg.url,
      batchRows: 3, // several batches even in a small database
      onProgress: (e) => progress.push(`${e.table} ${e.done}/${e.total}`),
    });
    const source = openDatabase(file);
    const expected = sqliteChecksums(source.sqlite);
    source.close();
    expect(report).toEqual(expected);
    const rows = Object.fromEntries(report.map((t) => [t.table, t.rows]));
    expect(rows).toMatchObject({
      runs: 2,
      results: docs[0]!.results.length + docs[1]!.results.length,
      tokens: 1,
      jobs: 1,
    });
    expect(rows.regressions).toBe(1);
    expect(progress).toContain(`results ${rows.results}/${rows.results}`);

    const sqlite = openSqliteStore(file);
    const target = await openPostgresStore(pg.url);
    try {
      for (const doc of docs) {
        const copied = await target.runs.document(doc.id);
        expect(copied).toEqual(doc);
        // Byte for byte as the SQLite server gives it.
        expect(JSON.stringify(copied)).toBe(JSON.stringify(await sqlite.runs.document(doc.id)));
      }
      expect(await target.machines.list()).toEqual(await sqlite.machines.list());
      const [series] = await sqlite.series.list({ limit: 1 });
      expect(await target.series.points(series!.id, { from: 0, to: Number.MAX_SAFE_INTEGER, limit: 100 })).toEqual(
        await sqlite.series.points(series!.id, { from: 0, to: Number.MAX_SAFE_INTEGER, limit: 100 }),
      );
      expect(await target.regressions.list({})).toEqual(await sqlite.regressions.list({}));
      expect(await target.jobs.list({})).toEqual(await sqlite.jobs.list({}));
      // The token still opens the door: same id, same hash of the same secret.
      const stored = (await target.tokens.get(tokenId))!;
      expect(digestMatches(Buffer.from(stored.secretHash), hashToken(secret).digest)).toBe(true);
      // New rows continue after the copied ids.
      const maxId = Math.max(...(await target.annotations.list({})).map((a) => a.id));
      const id = await target.annotations.create(
        { at: 1, text: 'after', machineId: null, seriesId: null, runPk: null },
        1,
      );
      expect(id).toBe(maxId + 1);
      await target.annotations.delete(id);
    } finally {
      await sqlite.close();
      await target.close();
    }
  });

  it('refuses a target that is not empty and changes nothing; --force replaces it', async () => {
    const url = await pg.fresh();
    await migrateSqliteToPostgres({ from: file, to: url });
    const before = await postgresTables(url);
    await expect(migrateSqliteToPostgres({ from: file, to: url })).rejects.toThrow(MigrateRefused);
    await expect(migrateSqliteToPostgres({ from: file, to: url })).rejects.toThrow(/not empty .*--force/);
    expect(await postgresTables(url)).toEqual(before);
    // The checksum sees one changed value (what verifying a copy rests on).
    const target = await openPostgresStore(url);
    try {
      await target.db.run('UPDATE results SET median = median * 1.000001 WHERE id = (SELECT min(id) FROM results)');
      const source = openDatabase(file);
      const expected = sqliteChecksums(source.sqlite);
      source.close();
      const got = await target.db.tx((t) => postgresChecksums(t));
      expect(got.filter((t, i) => t.checksum !== expected[i]!.checksum).map((t) => t.table)).toEqual(['results']);
    } finally {
      await target.close();
    }
    const report = await migrateSqliteToPostgres({ from: file, to: url, force: true });
    expect(report.find((t) => t.table === 'runs')!.rows).toBe(2);
    expect(report.find((t) => t.table === 'results')).toEqual(
      sqliteChecksumsOf(file).find((t) => t.table === 'results'),
    );
  });

  it('the CLI shows progress and the verified table; bad arguments are one line and exit 2', async () => {
    const fresh = await pg.fresh();
    const ok = await runCli(['server', 'migrate', '--from', file, '--to', fresh]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toMatch(/migrate: results \d+\/\d+ \(100%\)/);
    expect(ok.stderr).toMatch(/verified every table's rows and checksum/);
    expect(ok.stdout).toMatch(/^runs\t2\t[0-9a-f]{16}$/m);
    const again = await runCli(['server', 'migrate', '--from', file, '--to', fresh]);
    expect(again.code).toBe(2);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
    expect(again.stderr).toMatch(/not empty/);
    const wrong = await runCli(['server', 'migrate', '--from', file, '--to', join(dir, 'other.db')]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/--to must be a postgres:\/\/ URL/);
    const missing = await runCli(['server', 'migrate', '--from', join(dir, 'none.db'), '--to', fresh]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no SQLite database/);
    const unreachable = await runCli(['server', 'migrate', '--from', file, '--to', 'postgres://nobody@127.0.0.1:1/x']);
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toMatch(/cannot open postgres:\/\/nobody@127\.0\.0\.1:1\/x: /);
  });
});
