/**
 * `export-site` over the valid-but-extreme run documents (server/reliability/extreme.ts):
 * every answer the dashboard's views read is written, and an export that
 * fails part-way leaves DIR as it was, so the next export is not refused.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../harness/errors.ts';
import { tempDir } from '../harness/test-support/index.ts';
import { RunDocument } from '../server/contract/index.ts';
import { extremeRuns } from '../server/reliability/extreme.ts';
import { fixtureMachine, openServices } from '../server/test-support/index.ts';
import { type DbOpener, exportSite } from '../web/export.ts';
import { openServerDb } from './seams.ts';

const { dir, remove } = tempDir('gilbench-export-extreme-');
const db = join(dir, 'extreme.db');
beforeAll(async () => {
  const machine = fixtureMachine(43);
  const repo = await openServices(db);
  await repo.enrollMachine(machine, Date.now());
  for (const { doc } of extremeRuns(machine))
    await repo.ingestRun(RunDocument.parse(doc), { uploadedBy: null, now: Date.now() });
  await repo.close();
});
afterAll(remove);

/** The server's app, answering 500 from the `failAt`-th request on (a server that breaks mid-export). */
const failingAfter =
  (failAt: number): DbOpener =>
  async (file) => {
    const inner = await openServerDb(file);
    let count = 0;
    return {
      request: (path) =>
        ++count >= failAt
          ? Response.json({ error: 'internal', detail: 'broken on purpose' }, { status: 500 })
          : inner.request(path),
      close: inner.close,
    };
  };

const siblings = () => readdirSync(dir).filter((name) => name.includes('.partial-'));

describe('export-site over extreme documents', () => {
  it('writes the whole site: no read the views make answers 5xx', async () => {
    const site = join(dir, 'site');
    const summary = await exportSite({ outDir: site, db, openDb: openServerDb });
    expect(summary.runs).toBe(extremeRuns(fixtureMachine(43)).length);
    expect(existsSync(join(site, 'gilbench-site.json'))).toBe(true);
  });

  it('an export that fails part-way into a new DIR leaves no DIR and no partial folder; the next succeeds', async () => {
    const site = join(dir, 'fresh');
    await expect(exportSite({ outDir: site, db, openDb: failingAfter(5) })).rejects.toThrow(/HTTP 500|internal/);
    expect(existsSync(site)).toBe(false);
    expect(siblings()).toEqual([]);
    await expect(exportSite({ outDir: site, db, openDb: openServerDb })).resolves.toMatchObject({ outDir: site });
  });

  it('a --force export that fails part-way keeps the earlier export whole', async () => {
    const site = join(dir, 'kept');
    await exportSite({ outDir: site, db, openDb: openServerDb });
    const marker = readFileSync(join(site, 'gilbench-site.json'), 'utf8');
    const files = readdirSync(site, { recursive: true }).length;
    await expect(exportSite({ outDir: site, db, openDb: failingAfter(5), force: true })).rejects.toThrow();
    expect(readFileSync(join(site, 'gilbench-site.json'), 'utf8')).toBe(marker);
    expect(readdirSync(site, { recursive: true }).length).toBe(files);
    expect(siblings()).toEqual([]);
    await expect(exportSite({ outDir: site, db, openDb: openServerDb })).rejects.toThrow(UsageError);
    await expect(exportSite({ outDir: site, db, openDb: openServerDb, force: true })).resolves.toBeTruthy();
  });
});
