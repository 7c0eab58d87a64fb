/**
 * A fresh PostgreSQL database for one test file, in the run's private cluster
 * (global-setup.ts): made before the file's tests, dropped after them.
 *
 * @example
 * const pg = usePostgresDatabase();
 * it('stores', async () => { const store = await openStore(pg.url); … });
 */
import { afterAll, beforeAll, inject } from 'vitest';
import { createDatabase } from './cluster.ts';

export function usePostgresDatabase(): { readonly url: string; fresh(): Promise<string> } {
  const drops: Array<() => Promise<void>> = [];
  let url = '';
  beforeAll(async () => {
    const db = await createDatabase(inject('pgUrl'));
    drops.push(db.drop);
    url = db.url;
  });
  afterAll(async () => {
    for (const drop of drops.splice(0)) await drop();
  });
  return {
    get url() {
      return url;
    },
    /** Another empty database, dropped with the file's. */
    async fresh() {
      const db = await createDatabase(inject('pgUrl'));
      drops.push(db.drop);
      return db.url;
    },
  };
}
