/**
 * Another process's lock freezes nothing (issue #13, as tried): while a
 * second process holds the database's write lock (SQLite: `BEGIN IMMEDIATE`
 * from another process; PostgreSQL, in the `.postgres.test.ts` twin: an
 * `EXCLUSIVE` lock on the runs table from another connection), an upload
 * waits for it, and meanwhile `GET /health`, a cached compare and a plain read
 * answer. The upload is stored exactly once after the lock goes.
 *
 * Before the store ran in its own thread, better-sqlite3 waited out the busy
 * timeout on the event loop: health answered only after the lock was released.
 * Short: the lock held 2 s; full (GILBENCH_RELIABILITY=full): 5 s.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { tempDir } from '../../harness/test-support/temp.ts';
import { createDatabase } from '../store/postgres/test/cluster.ts';
import { testBackend } from '../store/test-backend.ts';
import {
  api,
  FIXTURE_MODES,
  FULL,
  fixtureMachine,
  fixtureRun,
  killStarted,
  type ServerProcess,
  startGilbench,
  track,
} from '../test-support/index.ts';

const HOLD_MS = FULL ? 5000 : 2000;
const { dir, remove } = tempDir('gilbench-lock-');
const machine = fixtureMachine(62);
const drops: Array<() => Promise<void>> = [];
let db = '';
let server: ServerProcess;
let agentToken: string;

beforeAll(async () => {
  if (testBackend() === 'postgres') {
    const made = await createDatabase(inject('pgUrl'));
    drops.push(made.drop);
    db = made.url;
  } else {
    db = join(dir, 'lock.db');
  }
  server = await startGilbench(db, { args: ['--public'] });
  agentToken = (await api(server.url, 'POST', '/agents/enroll', { machine })).token;
}, 120_000);
afterAll(async () => {
  await killStarted();
  for (const drop of drops) await drop();
  remove();
});

/** Holds the write lock from elsewhere for `ms`; resolves `locked` once held and `released` once let go. */
function holdLock(ms: number): { locked: Promise<void>; released: Promise<void> } {
  if (testBackend() === 'postgres') {
    const client = new pg.Client({ connectionString: db });
    const locked = (async () => {
      await client.connect();
      await client.query('BEGIN');
      // Blocks every insert into runs; plain reads (ACCESS SHARE) go on, as with SQLite's WAL.
      await client.query('LOCK TABLE runs IN EXCLUSIVE MODE');
    })();
    const released = locked.then(async () => {
      await new Promise((r) => setTimeout(r, ms));
      await client.query('COMMIT');
      await client.end();
    });
    return { locked, released };
  }
  // A second process, as the issue tried it: better-sqlite3 in a node of its own.
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(process.argv[1]);
    db.exec('BEGIN IMMEDIATE');
    console.log('locked');
    setTimeout(() => { db.exec('COMMIT'); db.close(); console.log('released'); }, Number(process.argv[2]));
  `;
  const child = track(spawn(process.execPath, ['-e', script, db, String(ms)], { cwd: process.cwd() }));
  let out = '';
  const seen = (word: string) =>
    new Promise<void>((resolve, reject) => {
      const look = () => {
        if (out.includes(word)) resolve();
      };
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        look();
      });
      child.once('exit', (code) => (out.includes(word) ? resolve() : reject(new Error(`the locker exited ${code}`))));
    });
  return { locked: seen('locked'), released: seen('released') };
}

async function storedCount(id: string): Promise<number> {
  if (testBackend() === 'postgres') {
    const client = new pg.Client({ connectionString: db });
    await client.connect();
    try {
      return Number((await client.query('SELECT count(*) AS n FROM runs WHERE id = $1', [id])).rows[0].n);
    } finally {
      await client.end();
    }
  }
  const sqlite = new Database(db, { readonly: true });
  try {
    return sqlite.prepare('SELECT count(*) FROM runs WHERE id = ?').pluck().get(id) as number;
  } finally {
    sqlite.close();
  }
}

describe('another process holds the write lock', () => {
  it('health, a cached compare and a read answer meanwhile; the upload is stored once after', async () => {
    const modes = FIXTURE_MODES.filter((m) => m.mode === 'gil' || m.mode === 'nogil');
    const before = fixtureRun({ machine, seed: 1, startedAt: new Date(Date.UTC(2025, 5, 1)), modes });
    await api(server.url, 'POST', '/runs', before, agentToken);
    const compare = `${server.url}/api/v1/runs/${before.id}/compare?other=nogil`;
    const first = await fetch(compare);
    expect(first.status).toBe(200);
    const cachedBody = await first.text();

    const events: string[] = [];
    const lock = holdLock(HOLD_MS);
    await lock.locked;
    void lock.released.then(() => events.push('released'));
    const doc = fixtureRun({ machine, seed: 2, startedAt: new Date(Date.UTC(2025, 5, 2)), modes });
    const upload = fetch(`${server.url}/api/v1/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${agentToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(doc),
    }).then(async (r) => {
      events.push('upload');
      return { status: r.status, body: await r.text() };
    });
    // Let the upload reach the database and wait there.
    await new Promise((r) => setTimeout(r, 300));

    const health = await fetch(`${server.url}/api/v1/health`);
    // Reads wait for no writer, so the database is reachable while another process holds the write lock.
    const reachable = ((await health.json()) as { storage?: { reachable?: boolean } }).storage?.reachable;
    events.push(`health ${health.status}${reachable ? ' reachable' : ''}`);
    const cached = await fetch(compare);
    const cachedAgain = await cached.text();
    events.push(`cached ${cached.status}`);
    const read = await fetch(`${server.url}/api/v1/runs/${before.id}`);
    await read.arrayBuffer();
    events.push(`read ${read.status}`);

    const answer = await upload;
    await lock.released;
    expect(answer.status, answer.body).toBe(201);
    expect(cachedAgain).toBe(cachedBody);
    // Order, never absolute times: every read answered while the lock was held, the upload after it.
    expect(events).toEqual(['health 200 reachable', 'cached 200', 'read 200', 'released', 'upload']);
    expect(await storedCount(doc.id)).toBe(1);
    // Sent again (an agent's retry): not stored twice.
    const again = await fetch(`${server.url}/api/v1/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${agentToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(doc),
    });
    expect(again.status).toBe(200);
    expect(await storedCount(doc.id)).toBe(1);
  }, 120_000);
});
