/**
 * `npm run bench:web [-- --url URL] [--history HASH] [--repeat N]`: in headless
 * chromium, the time from navigation to the first chart drawn and to the view
 * fully rendered, for the overview and for a history view (by default the
 * longest series on the server: give it 10,000 points to check the ≤ 1 s goal).
 * Prints the median and range over `--repeat` page loads (the first load, with
 * a cold cache, is reported on its own). Times come from the page's own
 * Performance marks (`gilbench:first-chart`, `gilbench:rendered`).
 *
 * Without --url it seeds a throwaway server of its own (see seededServer).
 *
 * @example npm run bench:web -- --url http://127.0.0.1:8080 --repeat 7
 */
import { parseArgs } from 'node:util';
import { launchChromium } from './test/browser.ts';

interface Sample {
  firstChart: number | null;
  rendered: number;
}

async function measure(url: string, view: string, repeat: number): Promise<Sample[]> {
  const browser = await launchChromium();
  const samples: Sample[] = [];
  try {
    for (let i = 0; i < repeat; i++) {
      const page = await browser.newPage();
      await page.goto(url);
      await page.waitForSelector(`body[data-ready="${view}"]`, { timeout: 60_000 });
      const marks = await page.evaluate(() => ({
        firstChart: performance.getEntriesByName('gilbench:first-chart')[0]?.startTime ?? null,
        rendered: performance.getEntriesByName('gilbench:rendered').at(-1)?.startTime ?? Number.NaN,
      }));
      samples.push(marks);
      await page.close();
    }
  } finally {
    await browser.close();
  }
  return samples;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function describe(label: string, samples: Sample[]): string {
  const warm = samples.slice(1);
  const fmt = (v: number | null) => (v === null || Number.isNaN(v) ? '–' : `${v.toFixed(0)} ms`);
  const first = samples[0]!;
  const firstCharts = warm.map((s) => s.firstChart).filter((v): v is number => v !== null);
  const rendered = warm.map((s) => s.rendered);
  return [
    label.padEnd(28),
    `cold: first chart ${fmt(first.firstChart)}, rendered ${fmt(first.rendered)}`.padEnd(48),
    warm.length
      ? `warm (median of ${warm.length}): first chart ${firstCharts.length ? fmt(median(firstCharts)) : '–'}, rendered ${fmt(median(rendered))} [${fmt(Math.min(...rendered))}–${fmt(Math.max(...rendered))}]`
      : '',
  ].join('  ');
}

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    history: { type: 'string' },
    repeat: { type: 'string', default: '5' },
  },
});
/**
 * Without --url: a throwaway server on 127.0.0.1 over a temporary database,
 * holding one real quick run (the selftest's 4-argument call in three modes)
 * and 10,000 runs DERIVED from it (one per hour, ±1% jitter: see
 * test/data.ts), so the history view draws 3 x 10,000 points.
 */
async function seededServer(): Promise<{ url: string; close: () => Promise<void> }> {
  // A `gilbench server` process of its own (the web never loads the server's code).
  const [{ startServer }, { derivedHistory, realRun }] = await Promise.all([
    import('./test/server.ts'),
    import('./test/data.ts'),
  ]);
  const server = await startServer({ public: true });
  const token = server.adminToken;
  console.log('seeding: one real run, then 10,000 derived runs (about a minute)');
  const real = await realRun({ suites: ['selftest'], filter: '^selftest/call-4args$' });
  const docs = [...derivedHistory(real, { count: 10_000, spacingMs: 3_600_000 }), real];
  for (let i = 0; i < docs.length; i += 50) {
    await Promise.all(
      docs.slice(i, i + 50).map(async (doc) => {
        const res = await fetch(`${server.url}/api/v1/runs`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(doc),
        });
        if (!res.ok) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
      }),
    );
  }
  return { url: server.url, close: () => server.stop() };
}

const seeded = values.url ? null : await seededServer();
const base = (values.url ?? seeded!.url).replace(/\/+$/, '');
const repeat = Math.max(2, Number(values.repeat) || 5);

let historyHash = values.history;
if (!historyHash) {
  // The longest series on the server, with every mode of its case on the chart.
  const machines = (await (await fetch(`${base}/api/v1/machines`)).json()) as { machines: Array<{ id: number }> };
  let best: { machine: number; suite: string; benchmark: string; caseKey: string; points: number } | null = null;
  for (const m of machines.machines) {
    const { series } = (await (await fetch(`${base}/api/v1/series?machine=${m.id}`)).json()) as {
      series: Array<{ suite: string; benchmark: string; caseKey: string; points: number }>;
    };
    for (const s of series) if (!best || s.points > best.points) best = { machine: m.id, ...s };
  }
  if (!best) throw new Error('the server has no series; upload runs first');
  const caseId = best.caseKey ? `${best.suite}/${best.benchmark}[${best.caseKey}]` : `${best.suite}/${best.benchmark}`;
  historyHash = `#/history?machine=${best.machine}&case=${encodeURIComponent(caseId)}`;
  console.log(`history view: ${caseId}, ${best.points} points per mode`);
}

console.log(`chromium, ${repeat} loads per view (times from navigation start)`);
console.log(describe('overview', await measure(`${base}/#/overview`, 'overview', repeat)));
console.log(describe('history', await measure(`${base}/${historyHash}`, 'history', repeat)));
await seeded?.close();
