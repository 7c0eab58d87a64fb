/**
 * Answers about runs are computed once and kept in the store (issue #13):
 * through real `gilbench server` processes on each backend, a comparison
 * computed before a restart is served `stored` after it (no computation),
 * a deleted run takes its kept answers with it, and a new run's first-asked
 * answers are ready before their first reader. `x-gilbench-answer` says
 * where each answer came from.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { RunDocument } from '../harness/schema.ts';
import { STORE_BACKENDS } from './store/testing.ts';
import { api, fixtureHistory, fixtureMachine, killStarted, startGilbench } from './test-support/index.ts';

afterAll(killStarted);

/** The server's own backend kinds: SQLite in its thread (what `gilbench server` opens) and PostgreSQL. */
const BACKENDS = STORE_BACKENDS.filter((b) => b.name !== 'sqlite');

/** Waits, by what /health says, until no answer of a new run is being computed ahead of its readers. */
async function warmed(url: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const health = (await (await fetch(`${url}/api/v1/health`)).json()) as { answers?: { warming: number } };
    if (health.answers?.warming === 0) return;
    if (Date.now() > deadline) throw new Error(`answers still warming after 60 s: ${JSON.stringify(health)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function read(url: string, path: string) {
  const response = await fetch(`${url}/api/v1${path}`);
  return { status: response.status, source: response.headers.get('x-gilbench-answer'), text: await response.text() };
}

describe.each(BACKENDS)('answers kept in the store: $name', (backend) => {
  it('a comparison computed before a restart is served stored after it; a deleted run takes its answers', async () => {
    const db = await backend.create();
    try {
      const [a, b] = fixtureHistory({ machine: fixtureMachine(81), runs: 2 }) as [RunDocument, RunDocument];
      let server = await startGilbench(db.url, { args: ['--public'] });
      for (const doc of [a, b]) await api(server.url, 'POST', '/runs', doc);
      await warmed(server.url);
      // Two runs compared: no upload warms this one, so its first reader computes it.
      const path = `/compare?base=${a.id}&other=${b.id}&mode=nogil`;
      const computed = await read(server.url, path);
      expect(computed).toMatchObject({ status: 200, source: 'computed' });
      expect((await read(server.url, path)).source).toBe('memory');
      expect(await server.stop()).toBe(0);

      server = await startGilbench(db.url, { args: ['--public'] });
      try {
        expect(await read(server.url, path)).toEqual({ ...computed, source: 'stored' });
        expect((await read(server.url, path)).source).toBe('memory');
        await api(server.url, 'DELETE', `/runs/${a.id}`);
        expect((await read(server.url, path)).status).toBe(404);
      } finally {
        expect(await server.stop()).toBe(0);
      }
      // Gone from the store too, with every answer about the deleted run; the other run's stay.
      const store = await db.open();
      try {
        expect(await store.answers.get(`compare-runs|${a.id}|${b.id}|nogil`)).toBeNull();
        const tables = await db.tables();
        expect(tables.answers!.length).toBeGreaterThan(0);
        expect(tables.answers!.map((row) => String(row[0])).filter((key) => key.includes(a.id))).toEqual([]);
      } finally {
        await store.close();
      }
    } finally {
      await db.drop();
    }
  });

  it("computes a new run's default comparison, scaling curves and lock costs before their first reader asks", async () => {
    const db = await backend.create();
    const server = await startGilbench(db.url, { args: ['--public'] });
    try {
      const [doc] = fixtureHistory({ machine: fixtureMachine(82), runs: 1 }) as [RunDocument];
      const upload = await api(server.url, 'POST', '/runs', doc);
      expect(upload.created).toBe(true);
      await warmed(server.url);
      // As the dashboard asks (web/src/views/overview/load.ts, compare/load.ts): the mode ids of gil and nogil.
      const gil = doc.modes.find((m) => m.mode === 'gil')!;
      const nogil = doc.modes.find((m) => m.mode === 'nogil')!;
      const query = new URLSearchParams({ base: gil.id, other: nogil.id });
      const compare = await read(server.url, `/runs/${doc.id}/compare?${query}`);
      expect(compare.status).toBe(200);
      expect(['memory', 'stored']).toContain(compare.source);
      expect(['memory', 'stored']).toContain((await read(server.url, `/runs/${doc.id}/scaling`)).source);
      expect(['memory', 'stored']).toContain((await read(server.url, `/runs/${doc.id}/locks`)).source);
      // Asked another way, it is computed for its reader: the header tells the difference.
      expect((await read(server.url, `/runs/${doc.id}/compare?base=nogil&other=gil`)).source).toBe('computed');
    } finally {
      expect(await server.stop()).toBe(0);
      await db.drop();
    }
  });
});
