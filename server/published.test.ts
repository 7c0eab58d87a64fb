/**
 * The published files over HTTP on the real app and a seeded SQLite database:
 * the Atom feeds (well-formed to a real XML parser, Atom's required elements,
 * absolute links, ids that stay when an entry changes, hostile text escaped)
 * and the SVG badges (the same figure as the API's comparison, cache headers,
 * a text fallback, drawn by chromium as an image).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatRatio, formatRatioRange } from '../harness/format/numbers.ts';
import { tempDir } from '../harness/test-support/index.ts';
import { launchChromium } from '../web/test/browser.ts';
import { type GilbenchApp, openApp } from './app.ts';
import type { ComparisonView } from './contract/index.ts';
import { copyDatabase, type Seed, seedDatabase } from './test-support/index.ts';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  isArray: (name) => name === 'entry' || name === 'link' || name === 'category',
});

type Link = { '@rel': string; '@href': string };
type Entry = { id: string; title: { '#text': string }; updated: string; link: Link[]; summary: { '#text': string } };
type Feed = { id: string; title: unknown; updated: string; author: { name: string }; link: Link[]; entry?: Entry[] };

/** The feed parsed, after checking it is well-formed XML. */
function parseFeed(xml: string): Feed {
  expect(XMLValidator.validate(xml)).toBe(true);
  const doc = parser.parse(xml) as { feed: Feed & { '@xmlns': string } };
  expect(doc.feed['@xmlns']).toBe('http://www.w3.org/2005/Atom');
  return doc.feed;
}

/** RFC 4287's musts: feed id, title, updated, an author; each entry id, title, updated, a link; all links absolute. */
function expectAtom(feed: Feed): void {
  const absolute = (href: string) => expect(new URL(href).protocol).toMatch(/^(https?|file):$/);
  expect(feed.id).toMatch(/^tag:gilbench,2025:/);
  expect(feed.title).toBeTruthy();
  expect(Number.isNaN(Date.parse(feed.updated))).toBe(false);
  expect(feed.author.name).toBe('gilbench');
  expect(feed.link.map((l) => l['@rel']).sort()).toEqual(['alternate', 'self']);
  for (const l of feed.link) absolute(l['@href']);
  for (const e of feed.entry ?? []) {
    expect(e.id).toMatch(/^tag:gilbench,2025:regression\//);
    expect(e.title['#text']).toBeTruthy();
    expect(Number.isNaN(Date.parse(e.updated))).toBe(false);
    for (const l of e.link) absolute(l['@href']);
  }
}

describe('published files', () => {
  const { dir, remove } = tempDir();
  let seed: Seed;
  let app: GilbenchApp;
  const admin = () => ({ authorization: `Bearer ${seed.tokens.admin}`, 'content-type': 'application/json' });

  beforeAll(async () => {
    seed = await seedDatabase(`${dir}/seed.db`);
    app = await openApp({ db: copyDatabase(seed.file, dir), public: true, log: () => {} });
  });
  afterAll(async () => {
    await app.close();
    remove();
  });

  it('GET /feed.xml is an Atom feed of the regressions with absolute links into the dashboard', async () => {
    const res = await app.request('http://bench.example:8080/feed.xml');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
    expect(res.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
    const feed = parseFeed(await res.text());
    expectAtom(feed);
    expect(feed.link.find((l) => l['@rel'] === 'self')!['@href']).toBe('http://bench.example:8080/feed.xml');
    expect(feed.entry).toHaveLength(1);
    const entry = feed.entry![0]!;
    const link = new URL(entry.link[0]!['@href']);
    expect(link.origin).toBe('http://bench.example:8080');
    expect(link.hash).toMatch(/^#\/history\?machine=\d+&case=/);
    expect(entry.summary['#text']).toContain('+8.0%');
  });

  it('keeps each entry id when the entry changes, and escapes what people write', async () => {
    const before = parseFeed(await (await app.request('/feed.xml')).text()).entry![0]!;
    const note = '<script>alert(1)</script> & "quoted" ]]> \u0001bell';
    const patched = await app.request(`/api/v1/regressions/${seed.regressionId}`, {
      method: 'PATCH',
      headers: admin(),
      body: JSON.stringify({ note }),
    });
    expect(patched.status).toBe(200);
    const xml = await (await app.request('/feed.xml')).text();
    expect(xml).not.toContain('<script>');
    expect(xml).not.toContain('\u0001');
    const after = parseFeed(xml).entry![0]!;
    expect(after.id).toBe(before.id);
    expect(after.summary['#text']).toContain('Note: <script>alert(1)</script> & "quoted" ]]> bell');
  });

  it('GET /machines/:id/feed.xml holds that machine only; an unknown machine is a JSON 404', async () => {
    const a = parseFeed(await (await app.request(`/machines/${seed.machineA.id}/feed.xml`)).text());
    expectAtom(a);
    expect(a.entry).toHaveLength(1);
    expect(a.id).toMatch(new RegExp(`machine-${seed.machineA.id}$`));
    const b = parseFeed(await (await app.request(`/machines/${seed.machineB.id}/feed.xml`)).text());
    expectAtom(b);
    expect(b.entry ?? []).toHaveLength(0);
    const missing = await app.request('/machines/999999/feed.xml');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'not-found' });
    expect((await app.request('/machines/x/feed.xml')).status).toBe(400);
  });

  it("a badge shows the API's own single-thread figure, with its text as a fallback", async () => {
    const res = await app.request(`/badges/machines/${seed.machineA.id}/single-thread.svg`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
    expect(res.headers.get('cache-control')).toMatch(/max-age=\d+/);
    const svg = await res.text();
    expect(XMLValidator.validate(svg)).toBe(true);
    const newest = seed.runsA[seed.runsA.length - 1]!;
    const view = (await (await app.request(`/api/v1/runs/${newest.id}/compare?other=nogil`)).json()) as ComparisonView;
    const mean = view.suites.find((s) => s.suite === 'single-thread')!.geometricMean!;
    const figure = `${formatRatio(mean.value)} ${formatRatioRange(mean.ciLow, mean.ciHigh)} time`;
    const title = /<title>([^<]*)<\/title>/.exec(svg)![1]!;
    expect(title).toContain(`nogil/gil single-thread: ${figure}`);
    expect(svg).toContain(`aria-label="${title}"`);
  });

  it('the regressions badge counts open regressions, and stops counting an acknowledged one', async () => {
    const title = async (path: string) => /<title>([^<]*)<\/title>/.exec(await (await app.request(path)).text())![1];
    expect(await title('/badges/regressions.svg')).toBe('regressions: 1 open');
    expect(await title(`/badges/machines/${seed.machineB.id}/regressions.svg`)).toMatch(/^regressions on .+: 0 open$/);
    const patched = await app.request(`/api/v1/regressions/${seed.regressionId}`, {
      method: 'PATCH',
      headers: admin(),
      body: JSON.stringify({ status: 'acknowledged' }),
    });
    expect(patched.status).toBe(200);
    expect(await title('/badges/regressions.svg')).toBe('regressions: 0 open');
    expect((await app.request('/badges/machines/999999/regressions.svg')).status).toBe(404);
  });

  it('chromium draws a badge as an image', async () => {
    const svg = await (await app.request(`/badges/machines/${seed.machineA.id}/single-thread.svg`)).text();
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const src = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
      await page.setContent(`<img id="b" alt="badge" src="${src}">`);
      // A string, so this Node test needs no DOM types.
      const size = (await page.evaluate(`(async () => {
        const img = document.getElementById('b');
        await img.decode();
        return { width: img.naturalWidth, height: img.naturalHeight };
      })()`)) as { width: number; height: number };
      expect(size.height).toBe(20);
      expect(size.width).toBeGreaterThan(100);
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('a private server asks for a token before it shares a feed or a badge', async () => {
    const closed = await openApp({ db: copyDatabase(seed.file, dir), log: () => {} });
    try {
      for (const path of ['/feed.xml', `/badges/machines/${seed.machineA.id}/single-thread.svg`]) {
        const res = await closed.request(path);
        expect(res.status).toBe(401);
        expect(await res.json()).toMatchObject({ error: 'unauthorized' });
      }
    } finally {
      await closed.close();
    }
  });
});
