/**
 * The trends view in Debian's chromium against a real `gilbench server
 * --public` holding nightly runs of one machine across a CPython release
 * change (synthetic documents, harness/test-support): a chart per headline
 * with a point per run, the release marked on each chart, the table's
 * numbers the server's, links to it from the overview, and an unknown
 * machine said so on the page.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunDocument } from '../harness/schema.ts';
import { fixtureHistory, fixtureMachine, onRelease } from '../harness/test-support/index.ts';
import { ensureWebBuilt } from './build.ts';
import type { MachineInfo, TrendRun } from './src/api.ts';
import { formatRatioCi } from './src/format.ts';
import { ensureChromium, type LaunchedBrowser, launchChromium, type Page } from './test/browser.ts';
import { type RunningServer, startServer } from './test/server.ts';
import { openView, waitForView } from './test/views.ts';

let server: RunningServer;
let browser: LaunchedBrowser;
const errors: string[] = [];
let machine: MachineInfo;
let docs: RunDocument[];

const open = (page: Page, hash: string) => openView(page, server.url, hash);

describe('trends view, in chromium', () => {
  beforeAll(async () => {
    ensureChromium();
    await ensureWebBuilt();
    const facts = fixtureMachine(41);
    // Six nightly runs; the last three on CPython 3.13.15.
    docs = fixtureHistory({ machine: facts, runs: 6 }).map((d, i) => (i >= 3 ? onRelease(d, '3.13.15') : d));
    server = await startServer({ public: true });
    for (const doc of docs) await server.upload(doc);
    const { machines } = await server.api<{ machines: MachineInfo[] }>('/machines');
    machine = machines.find((m) => m.fingerprint === facts.fingerprint)!;
    browser = await launchChromium({ errors, viewport: { width: 1400, height: 900 } });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('draws each headline over the runs, marks the release change, and tables the server’s numbers', async () => {
    const page = await browser.newPage();
    await open(page, `#/trends?machine=${machine.id}`);
    const charts = await page.evaluate(() => window.__gilbench!.charts());
    expect(charts.map((c) => c.id)).toEqual([
      'trend-overhead',
      'trend-memory',
      'trend-scaling',
      'trend-calls',
      'trend-locks',
    ]);
    for (const chart of charts) {
      for (const d of chart.datasets) expect(d.points, `${chart.id} ${d.label}`).toBe(docs.length);
      expect(chart.marks, chart.id).toEqual(['runtime 3.13.5 → 3.13.15 · 3.13.5t → 3.13.15t']);
    }
    await expect(page.locator('[data-list="runtime-changes"] li').allTextContents()).resolves.toEqual([
      `runtime 3.13.5 → 3.13.15 at ${docs[3]!.startedAt.slice(0, 16).replace('T', ' ')} UTC`,
      `runtime 3.13.5t → 3.13.15t at ${docs[3]!.startedAt.slice(0, 16).replace('T', ' ')} UTC`,
    ]);
    // The table's numbers are the server's headlines for each run.
    const { runs } = await server.api<{ runs: TrendRun[] }>(`/machines/${machine.id}/trends?limit=100`);
    for (const run of runs) {
      const row = page.locator(`table[data-table="trends"] tr[data-run="${run.runId}"]`);
      const h = run.headlines;
      await expect(row.locator('td[data-col="overhead"]').textContent()).resolves.toBe(
        formatRatioCi(h.overhead!.value, h.overhead!.ciLow, h.overhead!.ciHigh),
      );
      await expect(row.locator('td[data-col="lockNogil"]').textContent()).resolves.toBe(
        formatRatioCi(h.locks!.nogil!.value, h.locks!.nogil!.ciLow, h.locks!.nogil!.ciHigh),
      );
    }
    // Synthetic runs are not quick: no caveat notice; the page fits in about 4 screens.
    expect(await page.locator('[data-notice="caveat"]').count()).toBe(0);
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    expect(height).toBeLessThanOrEqual(4 * 900);
    expect(errors).toEqual([]);
    await page.close();
  });

  // GILBENCH_GALLERY=1 re-takes web/gallery/trends-*.png (as pages.test.ts does the other views).
  it.runIf(process.env.GILBENCH_GALLERY === '1')('gallery: a desktop and a phone screenshot', async () => {
    const dir = fileURLToPath(new URL('./gallery/', import.meta.url));
    for (const [kind, size] of [
      ['desktop', { width: 1400, height: 900 }],
      ['phone', { width: 390, height: 844 }],
    ] as const) {
      const page = await browser.newPage();
      await page.setViewportSize(size);
      await open(page, `#/trends?machine=${machine.id}`);
      await page.screenshot({ path: join(dir, `trends-${kind}.png`), fullPage: true });
      await page.close();
    }
  });

  it('is linked from the nav and from the overview’s machine, and an unknown machine says so', async () => {
    const page = await browser.newPage();
    await open(page, '#/overview');
    const section = page.locator(`section.machine[data-machine="${machine.id}"]`);
    await section.locator('a', { hasText: 'headlines over time →' }).click();
    await waitForView(page, '#/trends', 30_000);
    expect(page.url()).toContain(`#/trends?machine=${machine.id}`);
    expect(await page.locator('nav a', { hasText: 'Trends' }).count()).toBe(1);
    await open(page, '#/trends?machine=9999');
    await expect(page.locator('[data-missing="machine"]').textContent()).resolves.toContain(
      'There is no machine “9999” on this server.',
    );
    await page.close();
  });
});
