/**
 * `npm run bench:web [-- --url URL --run-machine ID --history-machine ID] [--repeat N]`:
 * every view in headless chromium at 1,400 x 900, for two machines: one
 * whose newest run is large (a default-profile run of the four suites) and
 * one with a long history (1,000 runs). Per view: the time from navigation
 * to the first chart and to the view rendered (the page's own Performance
 * marks `gilbench:first-chart`, `gilbench:rendered`), on the first load
 * (cold: the server computes and the browser fetches everything) and the
 * median of the later loads (warm), and the page's height. Prints a table
 * against the goals of issue #16: every view ≤ 1 s, no view taller than
 * about 4 screens (3,600 px).
 *
 * Without --url it seeds a throwaway server of its own (see seededServer).
 *
 * @example npm run bench:web -- --repeat 3
 */
import { get as httpGet } from 'node:http';
import { parseArgs } from 'node:util';
import { launchChromium } from './test/browser.ts';
import { waitForView } from './test/views.ts';

const WIDTH = 1400;
const HEIGHT = 900;
const GOAL_MS = 1000;
const GOAL_PX = 4 * HEIGHT;

interface Sample {
  firstChart: number | null;
  rendered: number;
  height: number;
}

async function measure(url: string, view: string, repeat: number): Promise<Sample[]> {
  const browser = await launchChromium({ viewport: { width: WIDTH, height: HEIGHT } });
  const samples: Sample[] = [];
  try {
    for (let i = 0; i < repeat; i++) {
      const page = await browser.newPage();
      await page.goto(url);
      await waitForView(page, `#/${view}`, 300_000);
      const marks = await page.evaluate(() => ({
        firstChart: performance.getEntriesByName('gilbench:first-chart')[0]?.startTime ?? null,
        rendered: performance.getEntriesByName('gilbench:rendered').at(-1)?.startTime ?? Number.NaN,
      }));
      // A string: this file is type-checked without the DOM's types.
      const height = Number(await page.evaluate('document.documentElement.scrollHeight'));
      samples.push({ ...marks, height });
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

const ms = (v: number | null) => (v === null || Number.isNaN(v) ? '–' : `${v.toFixed(0)} ms`);

/** One Markdown table row: the view, its cold and warm times, its height, and which goal it misses. */
function row(label: string, samples: Sample[]): string {
  const [cold, ...warm] = samples;
  const warmRendered = median(warm.map((s) => s.rendered));
  const charts = warm.map((s) => s.firstChart).filter((v): v is number => v !== null);
  const height = cold!.height;
  const misses = [
    Math.max(cold!.rendered, warmRendered) > GOAL_MS ? `> ${GOAL_MS / 1000} s` : '',
    height > GOAL_PX ? `> ${GOAL_PX} px` : '',
  ].filter(Boolean);
  return `| ${[
    label,
    ms(cold!.firstChart),
    ms(cold!.rendered),
    charts.length ? ms(median(charts)) : '–',
    ms(warmRendered),
    `${height.toLocaleString('en')} (${(height / HEIGHT).toFixed(1)})`,
    misses.length ? `misses: ${misses.join(', ')}` : 'met',
  ].join(' | ')} |`;
}

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    'run-machine': { type: 'string' },
    'history-machine': { type: 'string' },
    repeat: { type: 'string', default: '4' },
  },
});

/**
 * Without --url: a throwaway `gilbench server` on 127.0.0.1 over a temporary
 * database with machine A, holding one run DERIVED in the shape of a
 * default-profile run of the four suites (their real case matrices, listed by
 * a real worker; 60 samples a result), and machine B, holding 1,000 nightly
 * synthetic runs (harness/test-support; the last 300 on another CPython
 * release). Each run's trend headlines are computed once before measuring
 * (the time is printed): the pages are measured on a server that has them.
 */
async function seededServer(): Promise<{ url: string; run: number; history: number; close: () => Promise<void> }> {
  // A `gilbench server` process of its own (the web never loads the server's code).
  const [{ startServer }, data, support, { discoverRuntimes }] = await Promise.all([
    import('./test/server.ts'),
    import('./test/data.ts'),
    import('../harness/test-support/index.ts'),
    import('../harness/runtimes/discover.ts'),
  ]);
  const server = await startServer({ public: true });
  const upload = async (doc: unknown) => {
    const res = await fetch(`${server.url}/api/v1/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(doc),
    });
    if (!res.ok) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
  };
  const python = (await discoverRuntimes())[0]?.executable ?? 'python3';
  const big = data.defaultShapedRun(await data.suiteCases(python), { machine: support.fixtureMachine(501) });
  console.log(
    `seeding: machine A, one run of ${big.results.length} results (${big.suites.length} suites, 60 samples each)`,
  );
  await upload(big);
  const machineB = support.fixtureMachine(502);
  const history = support
    .fixtureHistory({ machine: machineB, runs: 1000 })
    .map((d, i) => (i >= 700 ? support.onRelease(d, '3.13.15') : d));
  console.log(`seeding: machine B, ${history.length} runs of ${history[0]!.results.length} results`);
  for (let i = 0; i < history.length; i += 20) await Promise.all(history.slice(i, i + 20).map(upload));
  const { machines } = (await (await fetch(`${server.url}/api/v1/machines`)).json()) as {
    machines: Array<{ id: number; fingerprint: string }>;
  };
  const id = (fingerprint: string) => machines.find((m) => m.fingerprint === fingerprint)!.id;
  return { url: server.url, run: id(big.machine.fingerprint), history: id(machineB.fingerprint), close: server.stop };
}

const seeded = values.url ? null : await seededServer();
const base = (values.url ?? seeded!.url).replace(/\/+$/, '');
const repeat = Math.max(2, Number(values.repeat) || 4);
const get = async <T>(path: string): Promise<T> => (await (await fetch(`${base}/api/v1${path}`)).json()) as T;

type MachineRow = {
  id: number;
  hostname: string;
  runCount: number;
  latestRun: { id: string; resultCount: number } | null;
};
const { machines } = await get<{ machines: MachineRow[] }>('/machines');
const pick = (given: string | undefined, by: (m: MachineRow) => number): MachineRow => {
  const found = given ? machines.find((m) => m.id === Number(given)) : [...machines].sort((a, b) => by(b) - by(a))[0];
  if (!found?.latestRun) throw new Error(`no machine ${given ?? ''} with a run on ${base}`);
  return found;
};
const runMachine = pick(
  values['run-machine'] ?? (seeded ? String(seeded.run) : undefined),
  (m) => m.latestRun?.resultCount ?? 0,
);
const historyMachine = pick(
  values['history-machine'] ?? (seeded ? String(seeded.history) : undefined),
  (m) => m.runCount,
);

/** A GET without fetch's 5-minute header timeout: a cold trend of 1,000 runs may take longer on a busy machine. */
function slowGet(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    httpGet(url, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', reject);
  });
}

// Each run's headlines are computed once (in the background after its upload) and kept: wait until all are.
for (const m of [runMachine, historyMachine]) {
  const started = performance.now();
  const status = await slowGet(`${base}/api/v1/machines/${m.id}/trends?limit=1000`);
  if (status !== 200) throw new Error(`trends of machine ${m.id}: HTTP ${status}`);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `trends of ${m.hostname} (${m.runCount} runs) ready after ${seconds} s (what the uploads had not warmed)`,
  );
}

const VIEWS = [
  'overview',
  'compare',
  'scaling',
  'calls',
  'locks',
  'run',
  'history',
  'regressions',
  'machines',
  'trends',
];
function hashOf(view: string, m: MachineRow): { hash: string; ready: string } {
  if (view === 'overview') return { hash: '#/overview', ready: 'overview' };
  if (view === 'run') return { hash: `#/machines?machine=${m.id}&run=${m.latestRun!.id}`, ready: 'machines' };
  if (view === 'trends') return { hash: `#/trends?machine=${m.id}&limit=1000`, ready: 'trends' };
  return { hash: `#/${view}?machine=${m.id}`, ready: view };
}

console.log(
  `\nchromium at ${WIDTH} x ${HEIGHT}, ${repeat} loads per view (times from navigation start; warm: median of the last ${repeat - 1})\n`,
);
console.log(
  '| view | first chart (cold) | rendered (cold) | first chart (warm) | rendered (warm) | height px (screens) | goal (≤ 1 s, ≤ 3,600 px) |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const [what, m] of [
  [`A: ${runMachine.latestRun!.resultCount}-result run`, runMachine],
  [`B: ${historyMachine.runCount} runs`, historyMachine],
] as const) {
  for (const view of VIEWS) {
    if (view === 'overview' && m !== runMachine) continue;
    const { hash, ready } = hashOf(view, m);
    const label = view === 'overview' ? 'overview (both machines)' : `${view}, ${what}`;
    console.log(row(label, await measure(`${base}/${hash}`, ready, repeat)));
  }
}
await seeded?.close();
