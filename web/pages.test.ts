/**
 * Issue #16's findings, one test each, in Debian's chromium against a real
 * `gilbench server --public` holding a real run of the harness (quick
 * profile, a few cases of every suite, 1 and 2 threads). Each test looks
 * where the finding was visible on the old page.
 *
 * `GILBENCH_PAGES_FIXTURE=FILE` keeps the real run in FILE between test runs
 * (made on the first), so the page can be retried without measuring again.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunDocument } from '../harness/schema.ts';
import { throughputAgainstGil } from '../harness/stats/throughput.ts';
import { tempDir } from '../harness/test-support/index.ts';
import { ensureWebBuilt } from './build.ts';
import { exportSite } from './export.ts';
import type { ComparisonView, MachineInfo, RunDetail } from './src/api.ts';
import { ensureChromium, type LaunchedBrowser, launchChromium, type Page } from './test/browser.ts';
import { realRun } from './test/data.ts';
import { type RunningServer, startServer } from './test/server.ts';
import { openView, waitForView } from './test/views.ts';

const log = (line: string) => process.stderr.write(`pages test: ${line}\n`);

let server: RunningServer;
let browser: LaunchedBrowser;
const errors: string[] = [];
let full: RunDocument;
let machine: MachineInfo;

const open = (page: Page, hash: string) => openView(page, server.url, hash, 30_000);

async function fixtureRun(): Promise<RunDocument> {
  const file = process.env.GILBENCH_PAGES_FIXTURE;
  if (file && existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as RunDocument;
  const doc = await realRun({ log });
  if (file) writeFileSync(file, JSON.stringify(doc));
  return doc;
}

describe('public pages people can act on (issue #16), in chromium', () => {
  beforeAll(async () => {
    ensureChromium();
    await ensureWebBuilt();
    full = await fixtureRun();
    server = await startServer({ public: true });
    await server.upload(full);
    const { machines } = await server.api<{ machines: MachineInfo[] }>('/machines');
    machine = machines.find((m) => m.fingerprint === full.machine.fingerprint)!;
    browser = await launchChromium({ errors });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('scaling: throughput against gil on 1 thread, drawn and tabled with CIs beside the speedup', async () => {
    const page = await browser.newPage();
    await open(page, `#/scaling?machine=${machine.id}&run=${full.id}&open=all`);
    const charts = await page.evaluate(() => window.__gilbench!.charts());
    const against = charts.filter((c) => c.id?.startsWith('throughput-'));
    const speedup = charts.filter((c) => c.id?.startsWith('scaling-'));
    expect(against.length).toBeGreaterThan(0);
    expect(against.length).toBe(speedup.length);
    expect(against[0]!.datasets.map((d) => d.label)).toContain('gil on 1 thread');
    // The table's nogil cell at 2 threads is n · t_gil(1) / t_nogil(n) from the run's own samples.
    const run = (await server.api<{ run: RunDetail }>(`/runs/${full.id}?samples=1`)).run;
    const curves = throughputAgainstGil(run.results);
    const nogil = full.modes.find((m) => m.mode === 'nogil')!;
    const curve = curves.find((c) => c.mode === nogil.id && c.points.some((p) => p.threads === 2))!;
    const cell = page.locator(
      `table[data-table="throughput"] tr[data-workload="${curve.workload}"][data-mode="${nogil.id}"] td[data-threads="2"]`,
    );
    const text = (await cell.textContent())!;
    const [ratio, low, high] = (text.match(/[\d.]+/g) ?? []).map(Number);
    const point = curve.points.find((p) => p.threads === 2)!;
    expect(Math.abs(ratio! - point.ratio)).toBeLessThan(0.01 * point.ratio + 0.006);
    expect(low).toBeLessThanOrEqual(ratio!);
    expect(high).toBeGreaterThanOrEqual(ratio!);
    // One unit per table: the efficiency table holds percentages only, no ns column.
    const efficiency = await page
      .locator('table[data-table="efficiency"] tbody td.num')
      .evaluateAll((tds) => tds.map((td) => td.textContent ?? ''));
    expect(efficiency.length).toBeGreaterThan(0);
    for (const t of efficiency) expect(t).toMatch(/^(\d+%|–)$/);
    await page.close();
  });

  it('overview: each headline says what it rests on, a quick run gets a notice, calls are nogil/gil by kind and arity', async () => {
    const page = await browser.newPage();
    await open(page, '#/overview');
    const section = page.locator(`section.machine[data-machine="${machine.id}"]`);
    // The fixture is a quick-profile run: the page says so above the numbers.
    await expect(section.locator('[data-notice="caveat"]').textContent()).resolves.toMatch(/the quick profile/);
    const context = (await section.locator('[data-card="overhead"] [data-context]').textContent())!;
    const gil = full.modes.find((m) => m.mode === 'gil')!;
    expect(context).toContain(`${gil.runtime.id} (default build)`);
    expect(context).toContain('profile quick');
    const unstable = full.results.filter((r) => r.warnings.some((w) => w.code === 'unstable')).length;
    expect(context).toContain(`${unstable} of ${full.results.length} results unstable`);
    // Call overhead: one row per call kind, one column per arity, nogil / gil with its CI on hover.
    const cells = section.locator('[data-card="call-overhead"] table[data-table="call-ratios"] td[data-arity]');
    expect(await cells.count()).toBeGreaterThan(0);
    // Each cell is the server's comparison of that kind and arity: a ratio with its CI on hover, or, where
    // the statistics decline (a median within noise of 0, common on a busy quick run), '–' and why.
    // CI once met a declined first cell, and a loaded run may decline every one.
    const nogil = full.modes.find((m) => m.mode === 'nogil')!;
    const cmp = await server.api<ComparisonView>(
      `/runs/${full.id}/compare?base=${encodeURIComponent(gil.id)}&other=${encodeURIComponent(nogil.id)}`,
    );
    const shown = await cells.evaluateAll((tds) =>
      tds.map((td) => ({
        kind: td.closest('tr')?.getAttribute('data-kind') ?? '',
        arity: Number(td.getAttribute('data-arity')),
        text: td.textContent ?? '',
        title: td.getAttribute('title') ?? '',
      })),
    );
    for (const c of shown) {
      const row = cmp.rows.find(
        (r) =>
          r.benchmark === c.kind &&
          Number(r.params.arity) === c.arity &&
          !('threads' in r.params && Number(r.params.threads) !== 1),
      );
      if (!row || row.ratio === null) {
        expect(c.text, `${c.kind}/${c.arity}`).toBe('–');
        expect(c.title).toBe(row?.reason ?? 'not measured');
      } else {
        expect(c.text, `${c.kind}/${c.arity}`).toMatch(/^[\d.]+×$/);
        expect(Math.abs(Number.parseFloat(c.text) - row.ratio)).toBeLessThan(0.01 * row.ratio + 0.006);
        expect(c.title).toMatch(/^95% CI \[[\d.]+/);
      }
    }
    await expect(page.locator('dl[data-modes] dt').allTextContents()).resolves.toEqual([
      'gil',
      'nogil',
      'nogil-forced',
      'ft-gil',
    ]);
    await page.close();
  });

  it('locks: its own view with the Lock/RLock vs lock-free vs private headline and one chart per read kind', async () => {
    const page = await browser.newPage();
    await open(page, `#/locks?machine=${machine.id}`);
    // The old page opened the overview here, silently.
    await expect(page.locator('h1').textContent()).resolves.toBe('Locks');
    const headline = await page.locator('[data-headline="locks"] li').allTextContents();
    // A pair the statistics decline (a median within noise of 0 on a busy quick run) is left out, not guessed.
    expect(headline.length).toBeGreaterThan(0);
    for (const t of headline)
      expect(t).toMatch(/^[\w-]+: a Lock around a read costs [\d.]+× the lock-free read at \d+ threads/);
    const rows = page.locator('table[data-table="lock-headline"] tbody tr');
    expect(await rows.count()).toBeGreaterThan(0);
    const kinds = new Set(full.results.filter((r) => r.suite === 'locks').map((r) => r.benchmark));
    const charts = await page.evaluate(() => window.__gilbench!.charts());
    expect(charts.filter((c) => c.id?.startsWith('locks-')).length).toBe(kinds.size);
    await page.close();
  });

  it('errors: an unknown view, machine, run or case says so on the page, in its own words', async () => {
    const page = await browser.newPage();
    const cases: Array<[string, string, RegExp]> = [
      ['#/nope', 'view', /^There is no view “nope”\./],
      [`#/compare?machine=99999`, 'machine', /^There is no machine “99999” on this server\./],
      [`#/compare?run=not-a-run`, 'run', /^There is no run “not-a-run” on this server\./],
      [`#/scaling?run=00000000-0000-4000-8000-000000000000`, 'run', /^There is no run “00000000-/],
      [`#/history?machine=${machine.id}&case=nope%2Fnothing`, 'case', /^No history of the case “nope\/nothing”/],
    ];
    for (const [hash, what, message] of cases) {
      await page.goto(`${server.url}/${hash}`);
      const box = page.locator(`[data-missing="${what}"]`);
      await box.waitFor({ timeout: 30_000 });
      await expect(box.locator('strong').textContent(), hash).resolves.toMatch(message);
      // No raw validator text ("path.id: Invalid UUID") reaches the reader.
      expect(await page.locator('main').textContent(), hash).not.toMatch(/Invalid|path\.id/);
    }
    await page.close();
  });

  it('downloads: every view offers its data as JSON and CSV, made from its model', async () => {
    const page = await browser.newPage();
    const views = ['overview', 'compare', 'scaling', 'calls', 'locks', 'history', 'trends', 'regressions', 'machines'];
    for (const view of views) {
      await open(page, `#/${view}?machine=${machine.id}`);
      const texts = await page.evaluate(async () => {
        const read = async (kind: string) => {
          const a = document.querySelector<HTMLAnchorElement>(`[data-downloads] a[data-download="${kind}"]`)!;
          // The file is made on click; keep the Blob the link is given (the CSP lets no fetch read it), stop the download.
          let blob: Blob | undefined;
          const make = URL.createObjectURL;
          URL.createObjectURL = (b: Blob) => {
            blob = b;
            return make(b);
          };
          a.addEventListener('click', (e) => e.preventDefault(), { once: true });
          a.click();
          URL.createObjectURL = make;
          return blob!.text();
        };
        return { json: await read('json'), csv: await read('csv') };
      });
      expect(typeof JSON.parse(texts.json), view).toBe('object');
      expect(texts.csv.split('\n')[0], view).toMatch(/^table,/);
    }
    // The scaling JSON holds the throughput table the page shows (of the sections open).
    await open(page, `#/scaling?machine=${machine.id}&run=${full.id}&open=all`);
    const json = await page.evaluate(async () => {
      const a = document.querySelector<HTMLAnchorElement>('[data-downloads] a[data-download="json"]')!;
      let blob: Blob | undefined;
      const make = URL.createObjectURL;
      URL.createObjectURL = (b: Blob) => {
        blob = b;
        return make(b);
      };
      a.addEventListener('click', (e) => e.preventDefault(), { once: true });
      a.click();
      URL.createObjectURL = make;
      return JSON.parse(await blob!.text());
    });
    const shown = await page.locator('table[data-table="throughput"] tbody tr').count();
    expect(json.throughputRows).toHaveLength(shown);
    await page.close();
  });

  it('compare: a side whose CI is wider than the profile allows is marked unstable, and the page says how many', async () => {
    const page = await browser.newPage();
    const nogil = full.modes.find((m) => m.mode === 'nogil')!;
    await open(page, `#/compare?machine=${machine.id}&run=${full.id}&other=${encodeURIComponent(nogil.id)}&all=1`);
    const view = await server.api<{
      rows: Array<{ caseId: string; base: { margin: number } | null; other: { margin: number } | null }>;
    }>(`/runs/${full.id}/compare?other=${encodeURIComponent(nogil.id)}`);
    // The quick profile's bound (±10%), as the harness marks results.
    const wide = (s: { margin: number } | null) => (s && s.margin > 0.1 ? 1 : 0);
    const expected = view.rows.reduce((n, r) => n + wide(r.base) + wide(r.other), 0);
    const marks = await page.locator('table[data-table="compare"] [data-unstable]').count();
    expect(marks).toBe(expected);
    const rowsWithOne = view.rows.filter((r) => wide(r.base) || wide(r.other)).length;
    if (rowsWithOne > 0)
      await expect(page.locator('[data-note="unstable"]').textContent()).resolves.toContain(`${rowsWithOne} of`);
    await page.close();
  });

  it('machines: the runs table counts the results’ warnings; the run page groups by suite, filters and sorts', async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1400, height: 900 });
    await open(page, `#/machines?machine=${machine.id}&run=${full.id}`);
    const warned = full.results.filter((r) => r.warnings.length > 0).length;
    const unstable = full.results.filter((r) => r.warnings.some((w) => w.code === 'unstable')).length;
    const cells = await page.locator('table[data-table="runs"] tbody tr td:nth-child(5)').allTextContents();
    // The old table said "0" here: it counted the run's own warnings only.
    if (warned > 0)
      expect(cells).toContain(
        `${warned} of ${full.results.length} results${unstable ? ` (${unstable} unstable)` : ''}${full.warnings.length ? `; ${full.warnings.length} on the run` : ''}`,
      );
    // One collapsed section per suite.
    const suites = [...new Set(full.results.map((r) => r.suite))];
    const sections = page.locator('details[data-suite]');
    expect(await sections.count()).toBe(suites.length);
    for (const d of await sections.all()) expect(await d.evaluate((e) => (e as HTMLDetailsElement).open)).toBe(false);
    const shown = page.locator('[data-shown="results"]');
    await expect(shown.textContent()).resolves.toBe(`${full.results.length} results`);
    // The filter opens the sections it matches and hides the rest.
    const nogil = full.results.filter(
      (r) => r.suite === 'scaling' && full.modes.find((m) => m.id === r.mode)?.mode === 'nogil',
    );
    await page.locator('[data-filter="results"]').fill('scaling/ nogil');
    await expect(shown.textContent()).resolves.toBe(`${nogil.length} of ${full.results.length} results`);
    expect(await page.locator('details[data-suite="scaling"]').evaluate((e) => (e as HTMLDetailsElement).open)).toBe(
      true,
    );
    expect(await page.locator('details[data-suite]:not([hidden])').count()).toBe(1);
    // Sorting by the median, largest first.
    const scaling = page.locator('details[data-suite="scaling"]');
    await scaling.locator('th button', { hasText: 'median ns/op' }).click();
    await scaling.locator('th button', { hasText: 'median ns/op' }).click();
    const medians = await scaling
      .locator('tbody tr:not([hidden])')
      .evaluateAll((trs) => trs.map((tr) => tr.querySelectorAll('td')[4]!.textContent ?? ''));
    expect(medians.length).toBe(nogil.length);
    const ns = (t: string) => {
      const m = /([\d.]+)\s*(ns|µs|ms|s)/.exec(t);
      return m ? Number(m[1]) * { ns: 1, µs: 1e3, ms: 1e6, s: 1e9 }[m[2] as 'ns'] : Number.NaN;
    };
    const values = medians.map(ns).filter((v) => !Number.isNaN(v));
    expect(values).toEqual([...values].sort((a, b) => b - a));
    // Collapsed, the page fits in about 4 screens.
    await page.locator('[data-filter="results"]').fill('');
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    log(`machines with run, 1400x900: ${height} px`);
    expect(height).toBeLessThanOrEqual(4 * 900);
    await page.close();
  });

  it('static site: opened from disk (file://) it draws every view and says when and from what it was exported', async () => {
    const { dir, remove } = tempDir('gilbench-file-site-');
    try {
      const site = join(dir, 'site');
      await exportSite({ outDir: site, server: server.url });
      const page = await browser.newPage();
      const before = errors.length;
      const index = pathToFileURL(join(site, 'index.html')).href;
      // The old export stayed on "Loading…" here: a module script and fetch() do not work from file://.
      for (const view of [
        'overview',
        'compare',
        'scaling',
        'calls',
        'locks',
        'history',
        'trends',
        'regressions',
        'machines',
      ]) {
        await page.goto(`${index}#/${view}?machine=${machine.id}`);
        await waitForView(page, `#/${view}`, 30_000);
        expect(await page.locator('[data-missing]').count(), view).toBe(0);
      }
      await page.goto(`${index}#/machines?machine=${machine.id}&run=${full.id}`);
      await waitForView(page, '#/machines', 30_000);
      await expect(page.locator('details[data-suite]').count()).resolves.toBeGreaterThan(0);
      const stamp = (await page.locator('[data-exported]').textContent())!;
      expect(stamp).toMatch(
        new RegExp(
          `^static snapshot \\(read-only\\), exported \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC from ${server.url.replace(/[.]/g, '\\.')}$`,
        ),
      );
      expect(errors.slice(before)).toEqual([]);
      // The feed and badges are in the site too.
      for (const file of ['feed.xml', 'badges/regressions.svg', `badges/machines/${machine.id}/single-thread.svg`])
        expect(existsSync(join(site, file)), file).toBe(true);
      await page.close();
    } finally {
      remove();
    }
  }, 180_000);

  it('phones: at 390 px no view scrolls sideways (wide tables scroll inside their own box)', async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    const wide: string[] = [];
    for (const hash of [
      ...['overview', 'compare', 'scaling', 'calls', 'locks', 'history', 'trends', 'regressions', 'machines'].map(
        (v) => `#/${v}?machine=${machine.id}`,
      ),
      `#/machines?machine=${machine.id}&run=${full.id}`,
    ]) {
      await open(page, hash);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      if (width > 390) wide.push(`${hash}: ${width} px`);
    }
    expect(wide).toEqual([]);
    await page.close();
  });

  // GILBENCH_GALLERY=1 re-takes the committed screenshots (web/gallery/) and prints each view's height.
  it.runIf(process.env.GILBENCH_GALLERY === '1')(
    'gallery: a desktop and a phone screenshot of every view',
    async () => {
      const dir = fileURLToPath(new URL('./gallery/', import.meta.url));
      mkdirSync(dir, { recursive: true });
      // The trends view's screenshots are trends.test.ts's: one run is no trend.
      const views = ['overview', 'compare', 'scaling', 'calls', 'locks', 'history', 'regressions', 'machines'];
      for (const [kind, size] of [
        ['desktop', { width: 1400, height: 900 }],
        ['phone', { width: 390, height: 844 }],
      ] as const) {
        const page = await browser.newPage();
        await page.setViewportSize(size);
        // The run page is the machines view with a run named: its results by suite.
        // Scaling opens its first section (closed, it has no chart to show); the rest as a reader first sees them.
        const { curves } = await server.api<{ curves: Array<{ suite: string; benchmark: string }> }>(
          `/runs/${full.id}/scaling`,
        );
        const first = curves.find((c) => c.suite === 'scaling') ?? curves[0];
        const state = (view: string) =>
          view === 'scaling' && first ? `&open=${encodeURIComponent(`${first.suite}/${first.benchmark}`)}` : '';
        for (const [name, hash] of [
          ...views.map((view) => [view, `#/${view}?machine=${machine.id}${state(view)}`] as const),
          ['run', `#/machines?machine=${machine.id}&run=${full.id}`] as const,
        ]) {
          await open(page, hash);
          const height = await page.evaluate(() => document.documentElement.scrollHeight);
          log(`${kind} ${name}: ${height} px (${(height / size.height).toFixed(1)} screens)`);
          await page.screenshot({ path: join(dir, `${name}-${kind}.png`), fullPage: true });
        }
        await page.close();
      }
    },
  );
});
