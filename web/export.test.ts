/**
 * export-site writes what the views read: every view in the registry, opened
 * on every machine of a seeded database, loads from the exported files alone
 * (a file it lacks would fail the load, as it fails the page on a static host).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../harness/errors.ts';
import { FIXTURE_CASES, FIXTURE_MODES, fixtureHistory, fixtureMachine } from '../harness/test-support/index.ts';
import { inProcessApp, openServices, seedDatabase } from '../server/test-support/index.ts';
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

describe('export-site and the published files', () => {
  const ids = (xml: string) => {
    expect(XMLValidator.validate(xml)).toBe(true);
    const feed = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '@',
      isArray: (n) => n === 'entry',
    }).parse(xml).feed as { entry?: Array<{ id: string; link: { '@href': string } }> };
    return (feed.entry ?? []).map((e) => ({ id: e.id, href: e.link['@href'] }));
  };

  it("writes the server's feeds and badges at the server's paths, linking into the exported pages", async () => {
    const app = await inProcessApp(join(dir, 'gilbench.db'));
    try {
      const paths = [
        'feed.xml',
        'badges/regressions.svg',
        ...machines.flatMap((m) => [
          `machines/${m}/feed.xml`,
          `badges/machines/${m}/regressions.svg`,
          `badges/machines/${m}/single-thread.svg`,
        ]),
      ];
      for (const path of paths) {
        expect(existsSync(join(site, path)), path).toBe(true);
        const served = await (await app.request(`/${path}`)).text();
        const written = readFileSync(join(site, path), 'utf8');
        if (path.endsWith('.svg')) expect(written, path).toBe(served);
        else
          expect(
            ids(written).map((e) => e.id),
            path,
          ).toEqual(ids(served).map((e) => e.id));
      }
      const entries = ids(readFileSync(join(site, 'feed.xml'), 'utf8'));
      expect(entries.length).toBeGreaterThan(0);
      for (const e of entries)
        expect(e.href.startsWith(`${pathToFileURL(join(site, 'index.html')).href}#/history?`)).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('counts every open regression in the badges, more than the API lists in one page', async () => {
    const file = join(dir, 'many.db');
    const repo = await openServices(file);
    const now = Date.parse('2025-06-02T12:00:00Z');
    const pks: number[] = [];
    // One mode and three copies of each case: 60 series, and few comparisons for the export to make.
    const cases = [0, 1, 2].flatMap((copy) => FIXTURE_CASES.map((c) => ({ ...c, params: { ...c.params, copy } })));
    const modes = FIXTURE_MODES.filter((m) => m.mode === 'gil');
    for (const doc of fixtureHistory({ machine: fixtureMachine(77), runs: 10, cases, modes }))
      pks.push((await repo.ingestRun(doc, { uploadedBy: null, now })).runPk);
    let open = 0;
    for (const se of await repo.store.series.list({ limit: 1000 }))
      for (let i = 1; i < pks.length; i++) {
        const id = await repo.store.regressions.insert(
          {
            seriesId: se.id,
            runPk: pks[i]!,
            previousRunPk: pks[i - 1]!,
            detectedRunPk: pks[i]!,
            kind: 'regression',
            change: 0.1,
            changeCiLow: 0.05,
            changeCiHigh: 0.15,
            confidence: 0.99,
            score: 5,
            beforeNs: 100,
            afterNs: 110,
            noise: 0.01,
            beforeCount: 5,
            afterCount: 3,
            method: 'test',
          },
          now,
        );
        if (id !== null) open++;
      }
    const [machine] = await repo.listMachines();
    await repo.close();
    // The API's list answers 500 by default: the old export counted that page.
    expect(open).toBeGreaterThan(500);
    const out = join(dir, 'many-site');
    await exportSite({ outDir: out, db: file, openDb: async (f) => inProcessApp(f) });
    for (const badge of ['badges/regressions.svg', `badges/machines/${machine!.id}/regressions.svg`])
      expect(readFileSync(join(out, badge), 'utf8'), badge).toContain(`${open} open`);
  }, 120_000);

  it('links the feeds to --site-url, and refuses one that is not an http(s) URL before writing', async () => {
    const other = join(dir, 'hosted');
    await exportSite({
      outDir: other,
      db: join(dir, 'gilbench.db'),
      openDb: async (file) => inProcessApp(file),
      siteUrl: 'https://bench.example/g',
    });
    const xml = readFileSync(join(other, 'feed.xml'), 'utf8');
    expect(xml).toContain('<link rel="self" type="application/atom+xml" href="https://bench.example/g/feed.xml"/>');
    for (const e of ids(xml)) expect(e.href.startsWith('https://bench.example/g/#/history?')).toBe(true);
    for (const bad of ['not a url', 'ftp://x/'])
      await expect(
        exportSite({
          outDir: join(dir, 'never'),
          db: join(dir, 'gilbench.db'),
          openDb: async (f) => inProcessApp(f),
          siteUrl: bad,
        }),
      ).rejects.toThrow(UsageError);
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });
});
