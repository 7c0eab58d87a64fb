/**
 * The migrations named `case_keys_typed` (drizzle/0004, postgres/migrations/0002) rewrite stored
 * case keys to harness/case-key.ts's typed form from each case's stored params, on both backends.
 * A run with look-alike parameters is stored, its keys are put back to the old untyped form
 * (`k=v` with String(v)), and the migration's SQL must give back exactly what caseKey() gives.
 */
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { caseKey } from '../../harness/case-key.ts';
import { fixtureMachine, fixtureRun } from '../test-support/index.ts';
import { STORE_BACKENDS, type TestDatabase } from './testing.ts';

const MIGRATION = {
  sqlite: new URL('../../drizzle/0004_case_keys_typed.sql', import.meta.url),
  postgres: new URL('./postgres/migrations/0002_case_keys_typed.sql', import.meta.url),
};

/** Parameter sets whose old keys collided in pairs, and plain ones whose keys do not change. */
const PARAMS: Array<Record<string, string | number | boolean>> = [
  { a: '1,b=2' },
  { a: 1, b: 2 },
  { flag: true },
  { flag: 'true' },
  { n: 1.5 },
  { n: '1.5' },
  { lock: 'rlock', threads: 4 },
  { 'odd name': 'x y', q: 'say "hi"' },
  {},
];

const untyped = (params: Record<string, unknown>) =>
  Object.keys(params)
    .sort()
    .map((k) => `${k}=${String(params[k])}`)
    .join(',');

for (const backend of STORE_BACKENDS) {
  describe(`case keys migration: ${backend.name}`, () => {
    const dbs: TestDatabase[] = [];
    afterAll(async () => {
      for (const db of dbs) await db.drop();
    });

    it('rewrites every stored key to the typed one, from the params', async () => {
      const db = await backend.create();
      dbs.push(db);
      const store = await db.open();
      const base = fixtureRun({ machine: fixtureMachine(1), seed: 3, startedAt: new Date('2025-06-01T00:00:00Z') });
      const mode = base.results[0]!.mode;
      const results = base.results
        .filter((r) => r.mode === mode)
        .slice(0, PARAMS.length)
        .map((r, i) => ({ ...r, suite: 'keys', benchmark: 'alike', params: PARAMS[i]! }));
      expect(results).toHaveLength(PARAMS.length);
      await store.runs.insert(
        { ...base, results },
        { uploadedBy: null, now: Date.now(), points: results.map(() => null), addLabels: [] },
      );
      await store.close();
      // The store in a thread (sqlite-worker) keeps a SQLite file too: only PostgreSQL's URL is a server's.
      const dialect = backend.name === 'postgres' ? 'postgres' : 'sqlite';
      const sql = readFileSync(MIGRATION[dialect], 'utf8');

      let keys: Array<{ key: string; params: Record<string, string | number | boolean> }>;
      if (dialect === 'sqlite') {
        const sqlite = new Database(db.url);
        const rows = sqlite.prepare('SELECT id, params FROM cases').all() as Array<{ id: number; params: string }>;
        // Back to the old form: the distinct old keys of the pairs that collided are made unique by id.
        for (const r of rows)
          sqlite.prepare('UPDATE cases SET key = ? WHERE id = ?').run(`${untyped(JSON.parse(r.params))}#${r.id}`, r.id);
        sqlite.exec(sql);
        keys = (sqlite.prepare('SELECT key, params FROM cases').all() as Array<{ key: string; params: string }>).map(
          (r) => ({ key: r.key, params: JSON.parse(r.params) }),
        );
        sqlite.close();
      } else {
        const client = new pg.Client({ connectionString: db.url });
        await client.connect();
        const rows = (await client.query('SELECT id, params FROM cases')).rows as Array<{
          id: number;
          params: Record<string, unknown>;
        }>;
        for (const r of rows)
          await client.query('UPDATE cases SET key = $1 WHERE id = $2', [`${untyped(r.params)}#${r.id}`, r.id]);
        await client.query(sql);
        keys = (await client.query('SELECT key, params FROM cases')).rows;
        await client.end();
      }
      expect(keys).toHaveLength(PARAMS.length);
      for (const { key, params } of keys) expect(key, JSON.stringify(params)).toBe(caseKey(params));
      expect(new Set(keys.map((k) => k.key)).size).toBe(PARAMS.length);
    });
  });
}
