/**
 * The dashboard in Debian's chromium against a real `gilbench server --public`
 * whose database holds real runs made by the harness (quick profile, a few
 * cases of every suite), a history DERIVED from a real run (see
 * test/data.ts), and a run whose hostname, labels, parameter values and
 * descriptions are markup. Screenshots of every view go to web/screenshots/.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunDocument } from '../harness/schema.ts';
import { ensureWebBuilt } from './build.ts';
import { exportSite } from './export.ts';
import { DASHBOARD_META_CSP } from './serve.ts';
import type { ComparisonView, MachineInfo, RunDetail, SeriesInfo } from './src/api.ts';
import { ensureChromium, type LaunchedBrowser, launchChromium, type Page } from './test/browser.ts';
import { derivedHistory, HOSTILE, hostileRun, realRun } from './test/data.ts';
import { type RunningServer, startServer } from './test/server.ts';
import { openView } from './test/views.ts';

/** Opens a view and waits until main.ts says it is drawn (30 s). */
const open = (page: Page, base: string, hash: string) => openView(page, base, hash, 30_000);

const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
const log = (line: string) => process.stderr.write(`web test: ${line}\n`);

let server: RunningServer;
let browser: LaunchedBrowser;
const errors: string[] = [];
let full: RunDocument;
let hostile: RunDocument;

/** Every chart on the page has data, and its canvas has drawn pixels. */
async function expectChartsDrawn(
  page: Page,
  atLeast = 1,
): Promise<Array<{ id?: string; datasets: Array<{ label: string; points: number }> }>> {
  const charts = await page.evaluate(() => window.__gilbench!.charts());
  expect(charts.length).toBeGreaterThanOrEqual(atLeast);
  for (const chart of charts)
    expect(
      chart.datasets.some((d) => d.points > 0),
      chart.id,
    ).toBe(true);
  const inked = await page.evaluate(() =>
    [...document.querySelectorAll('main canvas')].map((c) => {
      const canvas = c as HTMLCanvasElement;
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      let painted = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
      return painted;
    }),
  );
  expect(inked.length).toBe(charts.length);
  for (const n of inked) expect(n).toBeGreaterThan(500);
  return charts;
}

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

describe('dashboard in chromium against a real server', () => {
  beforeAll(async () => {
    ensureChromium();
    await ensureWebBuilt();
    full = await realRun({ log });
    const second = await realRun({ suites: ['selftest'], filter: '^selftest/', log });
    // Derived from the second real run: 30 days, nogil call-4args 30% slower from day 20.
    const history = derivedHistory(second, {
      count: 30,
      step: { at: 20, factor: 1.3, match: (r) => r.benchmark === 'call-4args' && r.mode.endsWith('/nogil') },
    });
    hostile = hostileRun(full);
    server = await startServer({ public: true });
    for (const doc of [...history, second, full, hostile]) await server.upload(doc);
    log(`server ${server.url} holds ${history.length + 3} runs`);
    browser = await launchChromium({ errors });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('overview: headlines per machine with a drawn chart, matching the API', async () => {
    const page = await browser.newPage();
    await open(page, server.url, '#/overview');
    await expectChartsDrawn(page);
    const { machines } = await server.api<{ machines: MachineInfo[] }>('/machines');
    const mine = machines.find((m) => m.fingerprint === full.machine.fingerprint)!;
    const section = page.locator(`section.machine[data-machine="${mine.id}"]`);
    const gil = full.modes.find((m) => m.mode === 'gil')!;
    const nogil = full.modes.find((m) => m.mode === 'nogil')!;
    const cmp = await server.api<ComparisonView>(
      `/runs/${full.id}/compare?base=${encodeURIComponent(gil.id)}&other=${encodeURIComponent(nogil.id)}`,
    );
    const gm = cmp.suites.find((s) => s.suite === 'single-thread')?.geometricMean ?? cmp.geometricMean!;
    await expect(section.locator('[data-card="overhead"] .big').textContent()).resolves.toBe(`${gm.value.toFixed(2)}×`);
    await expect(section.locator('[data-card="regressions"] .big').textContent()).resolves.toBe(
      String(mine.openRegressions),
    );
    await shot(page, 'overview');
    await page.close();
  });

  it('compare: the table holds the API numbers, sorts, and its state lives in the URL', async () => {
    const page = await browser.newPage();
    const gil = full.modes.find((m) => m.mode === 'gil')!;
    const ftgil = full.modes.find((m) => m.mode === 'ft-gil')!;
    const { machines } = await server.api<{ machines: MachineInfo[] }>('/machines');
    const machine = machines.find((m) => m.fingerprint === full.machine.fingerprint)!;
    const hash = `#/compare?machine=${machine.id}&run=${full.id}&base=${encodeURIComponent(gil.id)}&other=${encodeURIComponent(ftgil.id)}&sort=ratio&desc=1&all=1`;
    await open(page, server.url, hash);
    await expectChartsDrawn(page);
    const cmp = await server.api<ComparisonView>(
      `/runs/${full.id}/compare?base=${encodeURIComponent(gil.id)}&other=${encodeURIComponent(ftgil.id)}`,
    );
    // `all=1`: every suite's rows, each table footed by its suite's geometric mean.
    const rows = page.locator('table[data-table="compare"] tbody tr');
    await expect(rows.count()).resolves.toBe(cmp.rows.length);
    for (const s of cmp.suites.filter((x) => x.geometricMean)) {
      const table = page.locator(`section[data-suite="${s.suite}"] table[data-table="compare"]`);
      expect(await table.locator('tfoot [data-geomean]').getAttribute('data-geomean')).toBe(
        String(s.geometricMean!.value),
      );
      // Sorted by ratio, descending, as the URL says.
      const ratios = (
        await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Number((tr as HTMLElement).dataset.ratio)))
      ).filter((r) => !Number.isNaN(r));
      expect(ratios).toEqual([...ratios].sort((a, b) => b - a));
    }
    await expect(page.locator('select[name="other"]').inputValue()).resolves.toBe(ftgil.id);
    await shot(page, 'compare');
    // The same URL in a new page opens the same view.
    const again = await browser.newPage();
    await open(again, server.url, hash);
    await expect(again.locator('select[name="other"]').inputValue()).resolves.toBe(ftgil.id);
    await again.close();
    await page.close();
  });

  it('scaling and calls-and-locks: a line per mode with the ideal, an efficiency table', async () => {
    const page = await browser.newPage();
    await open(page, server.url, `#/scaling?run=${full.id}&open=all`);
    const charts = await expectChartsDrawn(page);
    expect(charts[0]!.datasets.map((d) => d.label)).toContain('ideal');
    const run = (await server.api<{ run: RunDetail }>(`/runs/${full.id}`)).run;
    const threaded = run.results.filter(
      (r) => 'threads' in r.params && Number(r.params.threads) === 1 && r.status === 'ok',
    );
    await expect(page.locator('table[data-table="efficiency"] tbody tr').count()).resolves.toBe(threaded.length);
    await shot(page, 'scaling');
    await open(page, server.url, `#/calls?run=${full.id}&open=all`);
    await expectChartsDrawn(page, 2);
    await shot(page, 'calls');
    await page.close();
  });

  it('history: several modes over time with the regression marked; zoom keeps the range in the URL', async () => {
    const page = await browser.newPage();
    const { machines } = await server.api<{ machines: MachineInfo[] }>('/machines');
    const machine = machines.find((m) => m.fingerprint === full.machine.fingerprint)!;
    await open(page, server.url, `#/history?machine=${machine.id}&case=${encodeURIComponent('selftest/call-4args')}`);
    const [chart] = await expectChartsDrawn(page);
    const { series } = await server.api<{ series: SeriesInfo[] }>(`/series?machine=${machine.id}`);
    const callSeries = series.filter((s) => s.suite === 'selftest' && s.benchmark === 'call-4args');
    expect(
      chart!.datasets
        .filter((d) => !d.label.endsWith('95% CI'))
        .map((d) => d.points)
        .sort(),
    ).toEqual(callSeries.map((s) => s.points).sort());
    await page.mouse.move(640, 400);
    const box = await page.locator('figure[data-chart="history"] canvas').boundingBox();
    await page.mouse.move(box!.x + box!.width / 2, box!.y + box!.height / 2);
    await page.mouse.wheel(0, -600);
    await page.waitForFunction(() => new URLSearchParams(location.hash.split('?')[1]).has('from'));
    await shot(page, 'history');
    await page.close();
  });

  it('regressions: listed with links to the history; an admin sets the status and a note', async () => {
    const page = await browser.newPage();
    await open(page, server.url, '#/regressions');
    const { regressions } = await server.api<{ regressions: Array<{ id: number }> }>('/regressions');
    const rows = page.locator('table[data-table="regressions"] tbody tr');
    await expect(rows.count()).resolves.toBe(regressions.length);
    await shot(page, 'regressions');
    if (regressions.length > 0) {
      await page.fill('input[name="token"]', server.adminToken);
      await page.click('#session button[type="submit"]');
      await page.waitForSelector('form[data-regression-form]');
      const form = page.locator(`form[data-regression-form="${regressions[0]!.id}"]`);
      await form.locator('select[name="status"]').selectOption('acknowledged');
      await form.locator('textarea[name="note"]').fill(HOSTILE.note);
      await form.locator('button[type="submit"]').click();
      await page.waitForFunction(
        () => document.querySelector('form[data-regression-form] [role="status"]')?.textContent === 'saved',
      );
      const after = await server.api<{ regressions: Array<{ id: number; status: string; note: string }> }>(
        '/regressions',
      );
      const changed = after.regressions.find((r) => r.id === regressions[0]!.id)!;
      expect(changed).toMatchObject({ status: 'acknowledged', note: HOSTILE.note });
      await open(page, server.url, '#/regressions');
      await expect(page.locator('.note').first().textContent()).resolves.toBe(HOSTILE.note);
      const href = await rows.first().locator('a').first().getAttribute('href');
      expect(href).toMatch(/^#\/history\?/);
    }
    await page.close();
  });

  it('machines and runs: metadata, runs and one run in detail', async () => {
    const page = await browser.newPage();
    await open(page, server.url, `#/machines?run=${full.id}`);
    const run = (await server.api<{ run: RunDetail }>(`/runs/${full.id}`)).run;
    await expect(page.locator('table[data-table="run-results"] tbody tr').count()).resolves.toBe(run.results.length);
    await shot(page, 'machines');
    await page.close();
  });

  it('markup in names, labels, parameters and notes shows as text and runs nothing', async () => {
    const page = await browser.newPage();
    const { machines } = await server.api<{ machines: MachineInfo[] }>('/machines');
    const evil = machines.find((m) => m.fingerprint === hostile.machine.fingerprint)!;
    for (const hash of [
      '#/overview',
      `#/machines?machine=${evil.id}`,
      `#/compare?machine=${evil.id}`,
      `#/history?machine=${evil.id}`,
      '#/regressions',
    ]) {
      await open(page, server.url, hash);
      const state = await page.evaluate(() => ({
        pwned: (window as { __pwned?: unknown }).__pwned ?? null,
        injected: document.querySelectorAll('main img, main iframe, main script, main b[onmouseover], main [onerror]')
          .length,
        text: document.body.textContent ?? '',
      }));
      expect(state.pwned, hash).toBeNull();
      expect(state.injected, hash).toBe(0);
      if (hash !== '#/regressions') expect(state.text, hash).toContain(HOSTILE.hostname);
    }
    await open(page, server.url, `#/machines?machine=${evil.id}`);
    expect(await page.textContent('main')).toContain(HOSTILE.label);
    expect(errors.filter((e) => e.startsWith('dialog') || e.startsWith('pageerror'))).toEqual([]);
    await shot(page, 'hostile');
    await page.close();
  });

  it('stays usable on a narrow screen', async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 375, height: 800 });
    await open(page, server.url, '#/overview');
    await expectChartsDrawn(page);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    await shot(page, 'overview-narrow');
    await page.close();
  });

  it('the server sends a CSP without inline scripts and the usual safe headers', async () => {
    const response = await fetch(`${server.url}/`);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('export-site writes a static site that works from a plain static file server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gilbench-site-'));
    let http: ChildProcess | undefined;
    try {
      const summary = await exportSite({ outDir: join(dir, 'site'), server: server.url });
      expect(summary.runs).toBeGreaterThanOrEqual(3);
      http = spawn('python3', ['-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', join(dir, 'site')], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        const onData = (b: Buffer) => {
          out += b.toString();
          const m = out.match(/port (\d+)/);
          if (m) resolve(`http://127.0.0.1:${m[1]}`);
        };
        http!.stdout!.on('data', onData);
        http!.stderr!.on('data', onData);
        setTimeout(() => reject(new Error(`static server did not start: ${out}`)), 20_000);
      });
      // The live server's policy, as a meta tag (the static host sends no header).
      const index = readFileSync(join(dir, 'site', 'index.html'), 'utf8');
      expect(index).toContain(`<meta http-equiv="Content-Security-Policy" content="${DASHBOARD_META_CSP}">`);
      expect(DASHBOARD_META_CSP).toContain("default-src 'self'");
      expect(DASHBOARD_META_CSP).toContain("script-src 'self'");
      expect(DASHBOARD_META_CSP).not.toMatch(/unsafe-inline|unsafe-eval/);
      const page = await browser.newPage();
      await page.addInitScript(() => {
        const seen: string[] = [];
        (window as unknown as { cspViolations: string[] }).cspViolations = seen;
        document.addEventListener('securitypolicyviolation', (e) =>
          seen.push(`${e.violatedDirective} ${e.blockedURI}`),
        );
      });
      await open(page, url, '#/overview');
      await expectChartsDrawn(page);
      await expect(page.textContent('#session')).resolves.toContain('static');
      // The page itself breaks none of it; an inline script put in is refused.
      expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
      const ran = await page.evaluate(async () => {
        const script = document.createElement('script');
        script.textContent = 'window.inlineRan = true';
        document.head.append(script);
        await new Promise((resolve) => setTimeout(resolve, 100));
        return (window as unknown as { inlineRan?: boolean }).inlineRan ?? false;
      });
      expect(ran).toBe(false);
      expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([
        'script-src-elem inline',
      ]);
      await open(page, url, `#/compare?run=${full.id}`);
      await expectChartsDrawn(page);
      await open(page, url, `#/history?case=${encodeURIComponent('selftest/call-4args')}`);
      await expectChartsDrawn(page);
      await shot(page, 'static-history');
      await page.close();
    } finally {
      http?.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
