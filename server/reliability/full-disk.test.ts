/**
 * A full disk, for real (issue #13, as tried): the database lives on a small
 * tmpfs mounted for the test (needs root, as CI and this machine run;
 * skipped with the reason otherwise), and a filler file takes the rest of
 * its space. Reads with a token keep answering; an upload gets a clear 507
 * and stores nothing.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../harness/test-support/temp.ts';
import { type GilbenchApp, openApp } from '../app.ts';
import { fixtureMachine, fixtureRun, openServices } from '../test-support/index.ts';

const { dir, remove } = tempDir('gilbench-full-disk-');
const mountPoint = join(dir, 'small-disk');
let mounted = false;
try {
  mkdirSync(mountPoint);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mountPoint], { stdio: 'ignore' });
  mounted = true;
} catch {
  // not root, or no mount in this sandbox: the test says so below
}

let app: GilbenchApp;
let token: string;
const machine = fixtureMachine(71);

/** Writes until the file system refuses: ENOSPC. */
function fillDisk(file: string): void {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
}

beforeAll(async () => {
  if (!mounted) return;
  const file = join(mountPoint, 'gilbench.db');
  const repo = await openServices(file);
  token = (await repo.createToken({ role: 'admin', name: 'test' }, Date.now())).token;
  await repo.enrollMachine(machine, Date.now());
  await repo.ingestRun(fixtureRun({ machine, seed: 1, startedAt: new Date('2025-06-01T00:00:00Z') }), {
    uploadedBy: null,
    now: Date.now(),
  });
  await repo.close();
  app = await openApp({ db: file, log: () => {} });
  fillDisk(join(mountPoint, 'filler'));
});
afterAll(async () => {
  await app?.close();
  if (mounted) execFileSync('umount', [mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
  remove();
});

describe.skipIf(!mounted)('with the disk full (a 3 MiB tmpfs filled to ENOSPC)', () => {
  it('reads with a token still answer (the token use is recorded best-effort)', async () => {
    const auth = { authorization: `Bearer ${token}` };
    for (const path of ['/api/v1/runs', '/api/v1/machines', '/api/v1/series?limit=5', '/api/v1/session']) {
      const r = await app.request(path, { headers: auth });
      expect(r.status, `${path}: ${await r.clone().text()}`).toBe(200);
    }
  });

  it('a comparison is computed and answered though it cannot be kept in the store, then served from memory', async () => {
    const auth = { authorization: `Bearer ${token}` };
    const [run] = (
      (await (await app.request('/api/v1/runs', { headers: auth })).json()) as { runs: Array<{ id: string }> }
    ).runs;
    const path = `/api/v1/runs/${run!.id}/compare?base=nogil&other=gil`;
    const first = await app.request(path, { headers: auth });
    expect(first.status, await first.clone().text()).toBe(200);
    expect(first.headers.get('x-gilbench-answer')).toBe('computed');
    expect((await app.request(path, { headers: auth })).headers.get('x-gilbench-answer')).toBe('memory');
  });

  it('an upload gets a 507 that says the disk is full, and nothing is stored', async () => {
    const doc = fixtureRun({ machine, seed: 2, startedAt: new Date('2025-06-02T00:00:00Z') });
    const r = await app.request('/api/v1/runs', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(doc),
    });
    const body = (await r.json()) as { error: string; detail: string };
    expect(r.status, JSON.stringify(body)).toBe(507);
    expect(body.detail).toMatch(/disk is full/);
    expect(
      (await app.request(`/api/v1/runs/${doc.id}`, { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(404);
    // /health tells: reads work (ok), writes do not.
    const health = (await (await app.request('/api/v1/health')).json()) as {
      ok: boolean;
      storage: { freeBytes: number | null; low: boolean; writable: boolean };
    };
    expect(health.ok).toBe(true);
    expect(health.storage).toMatchObject({ low: true, writable: false });
    expect(health.storage.freeBytes).toBeLessThan(1024 * 1024);
  });
});
