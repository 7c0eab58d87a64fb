/**
 * Opening PostgreSQL: a wrong URL or an unreachable server is one line (StoreOpenError),
 * several stores opening a new database at once migrate it once, and close() is final.
 */
import { describe, expect, it } from 'vitest';
import { StoreOpenError } from '../core/store.ts';
import { openStore } from '../open.ts';
import { openPostgresStore } from './index.ts';
import { usePostgresDatabase } from './test/database.ts';

const pg = usePostgresDatabase();

describe('opening a PostgreSQL store', () => {
  it('openStore picks PostgreSQL for postgres:// and postgresql:// URLs', async () => {
    for (const url of [pg.url, pg.url.replace(/^postgres:/, 'postgresql:')]) {
      const store = await openStore(url);
      expect(store.kind).toBe('postgres');
      expect(await store.machines.list()).toEqual([]);
      await store.close();
      await store.close();
    }
  });

  it('an unreachable server or an unknown database is one clear line, without the password', async () => {
    const refused = openPostgresStore('postgres://gilbench:s3cret@127.0.0.1:1/gilbench');
    await expect(refused).rejects.toThrow(StoreOpenError);
    await expect(refused).rejects.toThrow(/^cannot open postgres:\/\/gilbench:\*\*\*@127\.0\.0\.1:1\/gilbench: /);
    const missing = new URL(pg.url);
    missing.pathname = '/no_such_database';
    const err = (await openPostgresStore(missing.toString()).catch((e) => e)) as Error;
    expect(err).toBeInstanceOf(StoreOpenError);
    expect(err.message).toMatch(/no_such_database/);
    expect(err.message).not.toContain('\n');
  });

  it('five stores opening one new database at once (as five server processes would) migrate it once', async () => {
    const url = await pg.fresh();
    const stores = await Promise.all(Array.from({ length: 5 }, () => openPostgresStore(url)));
    const applied = await stores[0]!.db.one<{ n: number }>('SELECT count(*) AS n FROM drizzle.__drizzle_migrations');
    expect(applied!.n).toBeGreaterThan(0);
    const files = (await import('node:fs'))
      .readdirSync(new URL('./migrations', import.meta.url))
      .filter((f) => f.endsWith('.sql'));
    expect(applied!.n).toBe(files.length);
    for (const s of stores) await s.close();
  });
});
