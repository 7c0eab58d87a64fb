/**
 * `npx tsx web/bench-shoot-history.ts [--case ID] [--out PREFIX] RUN.json …`: the
 * history view of real runs, as a screenshot. Starts a throwaway server with
 * the dashboard, uploads the run documents in the order given (say, nightly
 * runs on one release and then on the next), opens the history view of the
 * machine of the last one (the case named, or the longest), and writes
 * PREFIX-desktop.png (1,400 px) and PREFIX-phone.png (390 px). It prints the
 * runtime changes of that machine's first series (from the API), so a reader
 * can check that the picture shows one.
 *
 * @example npx tsx web/bench-shoot-history.ts --case 'single-thread/nbody' --out web/gallery/history-release st05-*.json st15-*.json
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { RunDocument } from '../harness/schema.ts';
import { launchChromium } from './test/browser.ts';
import { startServer } from './test/server.ts';
import { openView } from './test/views.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { case: { type: 'string' }, out: { type: 'string', default: 'web/gallery/history-release' } },
});
if (positionals.length === 0) {
  console.error('shoot-history: name the run documents to upload (RUN.json …)');
  process.exit(2);
}
const docs = positionals.map((file) => JSON.parse(readFileSync(file, 'utf8')) as RunDocument);
const server = await startServer({ public: true });
try {
  for (const doc of docs) await server.upload(doc);
  const machines = (await (await fetch(`${server.url}/api/v1/machines`)).json()) as {
    machines: Array<{ id: number; fingerprint: string }>;
  };
  const machine = machines.machines.find((m) => m.fingerprint === docs.at(-1)!.machine.fingerprint)!;
  const query = new URLSearchParams({ machine: String(machine.id), ...(values.case ? { case: values.case } : {}) });
  const series = (await (await fetch(`${server.url}/api/v1/series?machine=${machine.id}&limit=1`)).json()) as {
    series: Array<{ id: number; caseId: string }>;
  };
  const history = (await (await fetch(`${server.url}/api/v1/series/${series.series[0]!.id}/history`)).json()) as {
    runtimeChanges: Array<{ at: number; from: string; to: string }>;
  };
  console.log(`runtime changes in ${series.series[0]!.caseId}: ${JSON.stringify(history.runtimeChanges)}`);
  const browser = await launchChromium();
  try {
    for (const [kind, viewport] of [
      ['desktop', { width: 1400, height: 900 }],
      ['phone', { width: 390, height: 844 }],
    ] as const) {
      const page = await browser.newPage();
      await page.setViewportSize(viewport);
      await openView(page, server.url, `#/history?${query}`);
      await page.screenshot({ path: `${values.out}-${kind}.png`, fullPage: true });
      await page.close();
    }
  } finally {
    await browser.close();
  }
} finally {
  await server.stop();
}
