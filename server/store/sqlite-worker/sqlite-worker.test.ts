/**
 * The SQLite store in its thread (the contract suite runs over it too, as
 * `sqlite-worker`): a write that waits for another connection's lock waits in
 * the thread, so the event loop keeps turning and reads through the same
 * store answer; the write is stored once when the lock goes; errors keep
 * their SQLite code; a file that is not a database is refused at open.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunDocument } from '../../../harness/schema.ts';
import { tempDir } from '../../../harness/test-support/temp.ts';
import { fixtureMachine, fixtureRun } from '../../test-support/index.ts';
import type { Store } from '../core/store.ts';
import type { RunInsertInput } from '../core/types.ts';
import { openStore } from '../open.ts';
import { openSqliteWorkerStore } from './index.ts';

const { dir, remove } = tempDir('gilbench-sqlite-worker-');
const opened: Store[] = [];
afterAll(async () => {
  for (const store of opened) await store.close();
  remove();
});

const NOW = Date.parse('2025-06-02T12:00:00Z');
const input = (doc: RunDocument): RunInsertInput => ({
  uploadedBy: null,
  now: NOW,
  points: doc.results.map(() => null),
  addLabels: [],
});

async function open(name: string, opts?: Parameters<typeof openSqliteWorkerStore>[1]) {
  const store = await openSqliteWorkerStore(join(dir, name), opts);
  opened.push(store);
  return store;
}

describe('the SQLite store in a worker thread', () => {
  it('waits for another connection’s write lock off the loop: timers and reads go on, the write lands once after', async () => {
    const file = 'locked.db';
    const store = await open(file);
    const machine = fixtureMachine(5);
    const first = fixtureRun({ machine, seed: 1, startedAt: new Date(NOW - 3_600_000) });
    await store.runs.insert(first, input(first));

    const other = new Database(join(dir, file));
    other.exec('BEGIN IMMEDIATE');
    const events: string[] = [];
    const doc = fixtureRun({ machine, seed: 2, startedAt: new Date(NOW) });
    const insert = store.runs.insert(doc, input(doc)).then((outcome) => {
      events.push('inserted');
      return outcome;
    });
    // While the lock is held: the loop turns (a timer fires) and a read through the same store answers.
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    await new Promise((r) => setTimeout(r, 300));
    const read = await store.runs.get(first.id);
    events.push('read');
    expect(read?.id).toBe(first.id);
    expect(ticks).toBeGreaterThan(5);
    clearInterval(timer);
    events.push('released');
    other.exec('COMMIT');
    other.close();
    expect((await insert).created).toBe(true);
    expect(events).toEqual(['read', 'released', 'inserted']);
    const stored = new Database(join(dir, file), { readonly: true });
    expect(stored.prepare('SELECT count(*) FROM runs WHERE id = ?').pluck().get(doc.id)).toBe(1);
    stored.close();
  }, 60_000);

  it('gives a busy database’s error with its code once the retry budget is spent, storing nothing', async () => {
    const file = 'budget.db';
    const store = await open(file, { busyTimeoutMs: 10, busyBudgetMs: 200 });
    const other = new Database(join(dir, file));
    other.exec('BEGIN IMMEDIATE');
    const doc = fixtureRun({ machine: fixtureMachine(6), seed: 3, startedAt: new Date(NOW) });
    const failed = await store.runs.insert(doc, input(doc)).catch((err: Error & { code?: string }) => err);
    other.exec('ROLLBACK');
    other.close();
    expect(failed).toBeInstanceOf(Error);
    expect((failed as { code?: string }).code).toMatch(/^SQLITE_BUSY/);
    expect(await store.runs.find(doc.id)).toBeNull();
  }, 60_000);

  it('hands back binary as bytes and a refused row as an error; closes twice; refuses calls after', async () => {
    const store = await open('plain.db');
    const hash = new Uint8Array(32).fill(7);
    await store.tokens.insert({ id: 'tok1', secretHash: hash, role: 'admin', machineId: null, name: 'x' }, NOW);
    const got = await store.tokens.get('tok1');
    expect(got?.secretHash).toBeInstanceOf(Uint8Array);
    expect([...(got?.secretHash ?? [])]).toEqual([...hash]);
    await expect(
      store.tokens.insert({ id: 'tok1', secretHash: hash, role: 'admin', machineId: null, name: 'x' }, NOW),
    ).rejects.toThrow(/UNIQUE|constraint/i);
    await store.close();
    await store.close();
    await expect(store.tokens.list()).rejects.toThrow(/closed/);
  }, 60_000);

  it('refuses a file that is not a database at open, as openStore’s one-line StoreOpenError', async () => {
    const file = join(dir, 'not-a-db.db');
    writeFileSync(file, 'this is not a database, just text long enough to have a header '.repeat(20));
    await expect(openStore(file, { thread: true })).rejects.toThrow(
      /cannot open the database .*not-a-db\.db \(file is not a database\)/,
    );
  }, 60_000);
});
