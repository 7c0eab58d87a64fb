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
