/**
 * export-site writes what the views read: every view in the registry, opened
 * on every machine of a seeded database, loads from the exported files alone
 * (a file it lacks would fail the load, as it fails the page on a static host).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessApp, seedDatabase } from '../server/test-support/index.ts';
import { exportSite } from './export.ts';
import { Api } from './src/api.ts';
import { type DataSource, staticDataFile } from './src/source.ts';
import { VIEWS } from './src/views/index.ts';
import { viewState } from './test/api.ts';

let dir: string;
let site: string;
let machines: number[];
let runs: string[];

/** Reads answers from the exported folder, as the static site's pages do over HTTP. */
function folderSource(root: string): DataSource {
  return {
    kind: 'static',
    async get<T>(path: string, query?: Parameters<DataSource['get']>[1]): Promise<T> {
      return JSON.parse(readFileSync(join(root, staticDataFile(path, query)), 'utf8')) as T;
    },
    send: () => Promise.reject(new Error('read-only')),
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gilbench-export-'));
  const seed = await seedDatabase(join(dir, 'gilbench.db'));
  machines = [seed.machineA.id, seed.machineB.id];
  runs = [...seed.runsA.map((r) => r.id), seed.runB.id];
  site = join(dir, 'site');
  await exportSite({ outDir: site, db: join(dir, 'gilbench.db'), openDb: async (file) => inProcessApp(file) });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('export-site and the view registry', () => {
  it('holds every answer each registered view reads, on every machine and run', async () => {
    const api = new Api(folderSource(site));
    const states = [
      {},
      ...machines.map((machine) => ({ machine })),
      ...runs.map((run) => ({ run })),
      ...machines.map((machine) => ({ machine, by: 'runs' })),
    ];
    let opened = 0;
    for (const view of VIEWS)
      for (const params of states) {
        const state = viewState(params, { isStatic: true, session: null });
        await expect(view.show(api, state), `${view.id} ${JSON.stringify(params)}`).resolves.toBeTruthy();
        opened++;
      }
    expect(opened).toBe(VIEWS.length * states.length);
  });
});
