/**
 * `/health` says whether the database answers: `storage.reachable` is true while
 * it does, and false (the server still answering 200, within about a second)
 * once it is gone, on both backends.
 */
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../harness/test-support/index.ts';
import { openApp } from './app.ts';
import { usePostgresDatabase } from './store/postgres/test/database.ts';

const { dir, remove } = tempDir('gilbench-health-');
afterAll(remove);
const postgres = usePostgresDatabase();

type Health = { ok: boolean; database: string; storage: { reachable?: boolean; writable: boolean } };
const health = async (app: Awaited<ReturnType<typeof openApp>>) => {
  const response = await app.request('/api/v1/health');
  return { status: response.status, body: (await response.json()) as Health };
};

describe('/health and the database', () => {
  it('says a SQLite database is reachable', async () => {
    const app = await openApp({ db: join(dir, 'health.db') });
    try {
      const { status, body } = await health(app);
      expect(status).toBe(200);
      expect(body).toMatchObject({ ok: true, database: 'sqlite', storage: { reachable: true, writable: true } });
    } finally {
      await app.close();
    }
  });

  it('says a PostgreSQL database that went away is not reachable, and still answers 200', async () => {
    const url = await postgres.fresh();
    const app = await openApp({ db: url });
    try {
      expect((await health(app)).body.storage.reachable).toBe(true);
      // The database is dropped under the server, its connections ended.
      const admin = new pg.Client({ connectionString: new URL('/postgres', url).toString() });
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE ${new URL(url).pathname.slice(1)} WITH (FORCE)`);
      } finally {
        await admin.end();
      }
      const after = await health(app);
      expect(after.status).toBe(200);
      expect(after.body).toMatchObject({ ok: true, database: 'postgres', storage: { reachable: false } });
    } finally {
      await app.close().catch(() => {});
    }
  });
});
