/**
 * A database moved to PostgreSQL draws the same dashboard: `gilbench server
 * migrate` copies a SQLite database, and `gilbench export-site --db` writes
 * the same data files from the copy as from the original (a static site is
 * every answer the dashboard asks for, so equal files are an equal dashboard).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../harness/test-support/index.ts';
import { usePostgresDatabase } from '../server/store/postgres/test/database.ts';
import { type Seed, seedDatabase } from '../server/test-support/index.ts';

const { dir, remove } = tempDir('gilbench-export-migrated-');
const pg = usePostgresDatabase();
let seed: Seed;
beforeAll(async () => {
  seed = await seedDatabase(join(dir, 'seed.db'));
});
afterAll(remove);

/** Every file under `root`, by its path inside it. */
function files(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.set(relative(root, path), readFileSync(path, 'utf8'));
    }
  };
  walk(root);
  return out;
}

describe('export-site --db postgres://…', () => {
  it('writes the same data files from a migrated database as from the SQLite file it came from', async () => {
    const migrated = await runCli(
      ['server', 'migrate', '--from', seed.file, '--to', pg.url],
      {},
      { timeoutMs: 120_000 },
    );
    expect(migrated.stderr).not.toMatch(/\n\s+at /);
    expect(migrated.code).toBe(0);

    const fromSqlite = await runCli(['export-site', join(dir, 'from-sqlite'), '--db', seed.file]);
    const fromPostgres = await runCli(['export-site', join(dir, 'from-postgres'), '--db', pg.url]);
    expect(fromPostgres.stderr).not.toMatch(/\n\s+at |error/i);
    expect(fromPostgres.code).toBe(0);
    expect(fromSqlite.code).toBe(0);
    expect(fromPostgres.stdout).toMatch(/exported 2 machine\(s\), 4 run\(s\)/);

    const a = files(join(dir, 'from-sqlite', 'data'));
    const b = files(join(dir, 'from-postgres', 'data'));
    expect(a.size).toBeGreaterThan(10);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    const differing = [...a].filter(([name, text]) => b.get(name) !== text).map(([name]) => name);
    expect(differing).toEqual([]);
  }, 180_000);

  it('a URL naming no database is one line and exit 2, and writes nothing', async () => {
    const out = join(dir, 'no-site');
    const url = new URL(pg.url);
    url.pathname = '/';
    const result = await runCli(['export-site', out, '--db', url.toString()]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^gilbench: .*names no database.*; check --db\n$/);
    expect(readdirSync(dir)).not.toContain('no-site');
  });
});
