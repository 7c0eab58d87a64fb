/**
 * Issue #16's "pages are walls", in Debian's chromium against a real
 * `gilbench server --public`: machine A holds one run shaped like a
 * default-profile run of the four suites (web/test/data.ts
 * `defaultShapedRun`, 519 results), machine B 60 nightly runs (more than a
 * page lists). At 1,400 × 900 every view fits in 4 screens by default, and
 * expanding it (or a permalink that names a section) shows everything.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverRuntimes } from '../harness/runtimes/discover.ts';
import type { RunDocument } from '../harness/schema.ts';
import { fixtureHistory, fixtureMachine } from '../harness/test-support/index.ts';
import { ensureWebBuilt } from './build.ts';
import type { ComparisonView, MachineInfo, ScalingCurve } from './src/api.ts';
import { ensureChromium, type LaunchedBrowser, launchChromium, type Page } from './test/browser.ts';
import { defaultShapedRun, suiteCases } from './test/data.ts';
import { type RunningServer, startServer } from './test/server.ts';
import { openView, waitForView } from './test/views.ts';

const MAX_HEIGHT = 4 * 900;
const log = (line: string) => process.stderr.write(`heights test: ${line}\n`);

let server: RunningServer;
let browser: LaunchedBrowser;
const errors: string[] = [];
let big: RunDocument;
let history: RunDocument[];
let machineA: MachineInfo;
let machineB: MachineInfo;

const open = (page: Page, hash: string) => openView(page, server.url, hash);

async function height(page: Page, what: string): Promise<number> {
  const px = await page.evaluate(() => document.documentElement.scrollHeight);
  log(`${what} at 1400x900: ${px} px`);
  return px;
}

/** Clicks `selector` and waits for the view to be drawn again. */
async function clickAndRedraw(page: Page, selector: string, view: string): Promise<void> {
  await page.evaluate(() => document.body.removeAttribute('data-ready'));
  await page.locator(selector).first().click();
  await waitForView(page, `#/${view}`);
}

describe('pages are no walls by default (issue #16), in chromium', () => {
  beforeAll(async () => {
    ensureChromium();
    await ensureWebBuilt();
    const python = (await discoverRuntimes())[0]?.executable ?? 'python3';
    big = defaultShapedRun(await suiteCases(python), { machine: fixtureMachine(601) });
    history = fixtureHistory({ machine: fixtureMachine(602), runs: 60 });
    server = await startServer({ public: true });
    await server.upload(big);
    for (let i = 0; i < history.length; i += 10) await Promise.all(history.slice(i, i + 10).map(server.upload));
    const { machines } = await server.api<{ machines: MachineInfo[] }>('/machines');
    machineA = machines.find((m) => m.fingerprint === big.machine.fingerprint)!;
    machineB = machines.find((m) => m.fingerprint === history[0]!.machine.fingerprint)!;
    browser = await launchChromium({ errors, viewport: { width: 1400, height: 900 } });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('compare: the chart first, each suite collapsed to its summary and largest changes; "show all" shows every row', async () => {
    const page = await browser.newPage();
    const hash = `#/compare?machine=${machineA.id}`;
    await open(page, hash);
    expect(await height(page, 'compare, 519-result run')).toBeLessThanOrEqual(MAX_HEIGHT);
    const gil = big.modes.find((m) => m.mode === 'gil')!;
    const nogil = big.modes.find((m) => m.mode === 'nogil')!;
    const view = await server.api<ComparisonView>(
      `/runs/${big.id}/compare?base=${encodeURIComponent(gil.id)}&other=${encodeURIComponent(nogil.id)}`,
    );
    const rows = page.locator('table[data-table="compare"] tbody tr');
    expect(await rows.count()).toBeLessThan(view.rows.length);
    // The chart comes before the tables, and each suite says its geometric mean.
    const order = await page.evaluate(() => {
      const chart = document.querySelector('canvas');
      const table = document.querySelector('table[data-table="compare"]');
      return chart && table ? chart.compareDocumentPosition(table) & Node.DOCUMENT_POSITION_FOLLOWING : 0;
    });
    expect(order).toBeTruthy();
    for (const s of view.suites.filter((x) => x.geometricMean))
      await expect(page.locator(`[data-summary="${s.suite}"]`).textContent()).resolves.toMatch(
        new RegExp(`^geometric mean .* over ${s.geometricMean!.count} cases`),
      );
    while ((await page.locator('[data-show-all]').count()) > 0)
      await clickAndRedraw(page, '[data-show-all]', 'compare');
    expect(await rows.count()).toBe(view.rows.length);
    // A permalink to a case opens its suite.
    const deep = view.rows.filter((r) => r.suite === 'single-thread').at(-1)!;
    await open(page, `${hash}&case=${encodeURIComponent(deep.caseId)}`);
    await expect(page.locator(`table[data-table="compare"] tr[data-case="${deep.caseId}"]`).count()).resolves.toBe(1);
    await page.close();
  });

  it('scaling: one closed section per benchmark with its headline; opening one draws its charts', async () => {
    const page = await browser.newPage();
    const hash = `#/scaling?machine=${machineA.id}`;
    await open(page, hash);
    expect(await height(page, 'scaling, 519-result run')).toBeLessThanOrEqual(MAX_HEIGHT);
    const { curves } = await server.api<{ curves: ScalingCurve[] }>(`/runs/${big.id}/scaling`);
    const benchmarks = [...new Set(curves.map((c) => `${c.suite}/${c.benchmark}`))];
    const sections = page.locator('details[data-section]');
    expect(await sections.count()).toBe(benchmarks.length);
    await expect(sections.first().locator('summary').textContent()).resolves.toMatch(/speedup at 2 threads: gil /);
    expect(await page.evaluate(() => window.__gilbench!.charts().length)).toBe(0);
    await clickAndRedraw(page, 'details[data-section] > summary', 'scaling');
    const first = await sections.first().getAttribute('data-section');
    expect(page.url()).toContain(`open=${encodeURIComponent(first!)}`);
    const charts = await page.evaluate(() => window.__gilbench!.charts().map((c) => c.id ?? ''));
    const variants = new Set(curves.filter((c) => `${c.suite}/${c.benchmark}` === first).map((c) => c.params));
    expect(charts.filter((id) => id.startsWith('scaling-'))).toHaveLength(
      new Set([...variants].map((p) => JSON.stringify(p))).size,
    );
    expect(charts.filter((id) => id.startsWith('throughput-')).length).toBeGreaterThan(0);
    // Everything open: a chart per workload, beside its throughput.
    await open(page, `${hash}&open=all`);
    const workloads = new Set(curves.map((c) => `${c.suite}/${c.benchmark}${JSON.stringify(c.params)}`));
    const all = await page.evaluate(() => window.__gilbench!.charts().map((c) => c.id ?? ''));
    expect(all.filter((id) => id.startsWith('scaling-'))).toHaveLength(workloads.size);
    await page.close();
  });

  it('calls: one closed section per chart with its headline; open=all draws them all', async () => {
    const page = await browser.newPage();
    const hash = `#/calls?machine=${machineA.id}`;
    await open(page, hash);
    expect(await height(page, 'calls, 519-result run')).toBeLessThanOrEqual(MAX_HEIGHT);
    const sections = await page.locator('details[data-section]').count();
    expect(sections).toBeGreaterThan(0);
    await expect(page.locator('details[data-section] > summary').first().textContent()).resolves.toMatch(
      /at arity \d+: gil /,
    );
    expect(await page.evaluate(() => window.__gilbench!.charts().length)).toBe(0);
    await open(page, `${hash}&open=all`);
    expect(await page.evaluate(() => window.__gilbench!.charts().length)).toBe(sections);
    await page.close();
  });

  it('machines and a run: the newest 50 runs listed, "show all" lists every run', async () => {
    const page = await browser.newPage();
    const newest = history.at(-1)!;
    await open(page, `#/machines?machine=${machineB.id}&run=${newest.id}`);
    expect(await height(page, `a run of a ${history.length}-run machine`)).toBeLessThanOrEqual(MAX_HEIGHT);
    const rows = page.locator('table[data-table="runs"] tbody tr');
    expect(await rows.count()).toBe(50);
    await clickAndRedraw(page, '[data-show-all="runs"]', 'machines');
    expect(await rows.count()).toBe(history.length);
    expect(errors).toEqual([]);
    await page.close();
  });
});
