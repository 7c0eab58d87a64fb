/**
 * Kept answers (`npm run bench:answers`): a 507-result default-profile run is
 * uploaded to a real `gilbench server` on a SQLite file; prints how long its
 * compare takes as its first reader sees it, from each source the
 * `x-gilbench-answer` header names: right after the upload (the default
 * compare, computed at ingest: memory), another mode pair asked first
 * (computed), the same after a restart (stored), and again (memory). Each
 * figure is the median of `--requests` distinct asks where it can be (memory),
 * else one ask; times include HTTP on 127.0.0.1.
 *
 * Usage: tsx server/bench-answers.ts [--requests 20]
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { tempDir } from '../harness/test-support/index.ts';
import { run507 } from './bench-load.ts';
import { ADMIN_TOKEN, api, startGilbench } from './test-support/index.ts';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '20' } } });
const requests = Number(values.requests);
if (!(Number.isInteger(requests) && requests >= 1)) {
  console.error(`bench: --requests takes a whole number >= 1, got '${values.requests}'`);
  process.exit(2);
}

/** One GET: its time in ms and where its answer came from. */
async function timed(url: string, path: string): Promise<{ ms: number; source: string | null }> {
  const t0 = performance.now();
  const response = await fetch(`${url}/api/v1${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  await response.text();
  if (response.status !== 200) throw new Error(`${path}: ${response.status}`);
  return { ms: performance.now() - t0, source: response.headers.get('x-gilbench-answer') };
}

async function warmed(url: string): Promise<void> {
  for (;;) {
    const health = (await (await fetch(`${url}/api/v1/health`)).json()) as { answers: { warming: number } };
    if (health.answers.warming === 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const line = (what: string, r: { ms: number; source: string | null }) =>
  console.log(`  ${what.padEnd(46)} ${r.ms.toFixed(1).padStart(8)} ms  (${r.source})`);

const { dir, remove } = tempDir('gilbench-bench-answers-');
try {
  const db = join(dir, 'answers.db');
  const doc = run507(7);
  const gil = doc.modes.find((m) => m.mode === 'gil')!.id;
  const nogil = doc.modes.find((m) => m.mode === 'nogil')!.id;
  const byDefault = `/runs/${doc.id}/compare?${new URLSearchParams({ base: gil, other: nogil })}`;
  const other = `/runs/${doc.id}/compare?base=nogil&other=gil`;
  console.log(`kept answers: a ${doc.results.length}-result run; load ${loadavg()[0]!.toFixed(2)} at the start`);

  let server = await startGilbench(db);
  const t0 = performance.now();
  await api(server.url, 'POST', '/runs', doc);
  const uploadMs = performance.now() - t0;
  await warmed(server.url);
  console.log(`  ${'upload (201), the warm-up queued, not awaited'.padEnd(46)} ${uploadMs.toFixed(1).padStart(8)} ms`);
  line('default compare, first reader after warm-up', await timed(server.url, byDefault));
  line('another mode pair, first reader', await timed(server.url, other));
  await server.stop();

  server = await startGilbench(db);
  line('the same after a restart', await timed(server.url, other));
  const again: Array<{ ms: number; source: string | null }> = [];
  for (let i = 0; i < requests; i++) again.push(await timed(server.url, other));
  line(`again, median of ${requests}`, { ms: median(again.map((r) => r.ms)), source: again[0]!.source });
  await server.stop();
  console.log(`load ${loadavg()[0]!.toFixed(2)} at the end`);
} finally {
  remove();
}
