/**
 * Server benchmark (`npm run bench:server`). Prints, for the README:
 *
 * 1. ingest throughput: realistic run documents (63 results, 30-100 samples
 *    each) POSTed to a real `gilbench server` process over HTTP, validation and
 *    regression detection included, with 2 and with 8 in flight; runs/s and results/s;
 * 2. history latency: p50 and p99 of `GET /series/:id/history` for a series of
 *    10,000 points in a database of 1,000,000 results, over HTTP (until the
 *    last byte arrived, as sent; the client's decoding is timed apart): uncached
 *    (the series changed before each request), a new range each request (cut
 *    from the series kept in memory), the same URL again; and uncached in process;
 * 3. database size per 1,000,000 results.
 *
 * The big database is filled through the services (the same ingest code,
 * without HTTP, validation and detection, which step 1 measures) from
 * documents derived from fixtures: copies with new ids, times and jittered
 * samples.
 *
 * Each of the above runs on every backend asked for (default both: SQLite files, and a
 * private PostgreSQL cluster with durable commits started for the benchmark), then
 * 4. reads under load (bench-load.ts): `--uploaders` (50) upload for `--load-seconds` (60)
 *    while five reader processes ask /health, the overview's data, a compare, a history and a
 *    scaling answer: p50/p99 of each, and every accepted upload stored exactly once; and the
 *    compare of a stored 507-result default-profile run: first answer, then p50/p99 cached;
 * 5. jobs on PostgreSQL: 20 agents claiming from 3 server processes on one database
 *    (bench-jobs.ts): claims/s, and the proof that no job was held by two agents at once
 *    and that every run was stored once.
 *
 * Usage: tsx server/bench.ts [--backends sqlite,postgres] [--parts ingest,history,load,claims]
 *   [--results 1000000] [--ingest-runs 400] [--ingest-clients 2,8] [--requests 200] [--load-seconds 60] [--uploaders 50]
 *   [--claim-seconds 60] [--dir DIR] [--keep]
 */
import { readFileSync, statSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { RunDocument } from '../harness/schema.ts';
import { createRng } from '../harness/stats/prng.ts';
import { scaleResult, tempDir } from '../harness/test-support/index.ts';
import { measureClaims } from './bench-jobs.ts';
import { measureLoad } from './bench-load.ts';
import { createDatabase, startCluster } from './store/postgres/test/cluster.ts';
import {
  FIXTURE_CASES,
  FIXTURE_MODES,
  fixtureHistory,
  fixtureMachine,
  fixtureRun,
  openServices,
  startGilbench,
} from './test-support/index.ts';

const { values } = parseArgs({
  options: {
    results: { type: 'string', default: '1000000' },
    'ingest-runs': { type: 'string', default: '400' },
    'ingest-clients': { type: 'string', default: '2,8' },
    requests: { type: 'string', default: '200' },
    backends: { type: 'string', default: 'sqlite,postgres' },
    'claim-seconds': { type: 'string', default: '60' },
    parts: { type: 'string', default: 'ingest,history,load,claims' },
    'load-seconds': { type: 'string', default: '60' },
    uploaders: { type: 'string', default: '50' },
    dir: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const targetResults = Number(values.results);
const ingestRuns = Number(values['ingest-runs']);
// Uploads in flight at once: 2 keeps the server busy while the client sends the next body;
// 8 is many agents' nightly runs arriving together (the server lets its queue's worth in at once).
const ingestClients = values['ingest-clients'].split(',').map((n) => Number(n.trim()));
if (ingestClients.some((n) => !(Number.isInteger(n) && n > 0))) {
  console.error(`bench: --ingest-clients takes whole numbers > 0, got '${values['ingest-clients']}'`);
  process.exit(2);
}
const requests = Number(values.requests);
const claimSeconds = Number(values['claim-seconds']);
const backends = values.backends.split(',').map((b) => b.trim());
const PARTS = ['ingest', 'history', 'load', 'claims'] as const;
const parts = new Set(values.parts.split(',').map((p) => p.trim()));
if (parts.size === 0 || [...parts].some((p) => !(PARTS as readonly string[]).includes(p))) {
  console.error(`bench: --parts takes some of ${PARTS.join(', ')}, got '${values.parts}'`);
  process.exit(2);
}
const loadSeconds = Number(values['load-seconds']);
const uploaders = Number(values.uploaders);
if (backends.length === 0 || backends.some((b) => b !== 'sqlite' && b !== 'postgres')) {
  console.error(`bench: --backends takes sqlite and/or postgres, got '${values.backends}'`);
  process.exit(2);
}
for (const [name, v] of [
  ['--claim-seconds', claimSeconds],
  ['--results', targetResults],
  ['--ingest-runs', ingestRuns],
  ['--requests', requests],
  ['--load-seconds', loadSeconds],
  ['--uploaders', uploaders],
] as const) {
  if (!(Number.isInteger(v) && v > 0)) {
    console.error(`bench: ${name} must be a whole number > 0`);
    process.exit(2);
  }
}
const RESULTS_PER_RUN = FIXTURE_CASES.length * FIXTURE_MODES.length;
const HISTORY_POINTS = 10_000;
const TOKEN = 'gb_bench_admin_token_0123456789abcdef';
const temp = values.dir ? { dir: values.dir, remove: () => {} } : tempDir('gilbench-bench-');

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** A copy of `template` as another run: new id and time, samples and stats scaled by a small jitter. */
function derive(template: RunDocument, index: number, startedAt: number, next: () => number): RunDocument {
  const hex = (n: number) => Math.floor(n).toString(16).padStart(8, '0');
  const id = `${hex(index)}-${hex(next() * 0xffff).slice(4)}-4${hex(next() * 0xfff).slice(5)}-8${hex(next() * 0xfff).slice(5)}-${hex(next() * 0xffffffff)}${hex(next() * 0xffff).slice(4)}`;
  return {
    ...template,
    id,
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: new Date(startedAt + 60_000).toISOString(),
    // A jitter of its own per result, as real runs move.
    results: template.results.map((r) =>
      scaleResult(r, Math.exp(0.01 * (next() + next() + next() - 1.5) * 2), { loopCost: 'keep' }),
    ),
  };
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); null elsewhere. */
function cpuSeconds(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return null;
  }
}

async function measureIngest(
  backend: string,
  clients: number,
): Promise<{
  runsPerSecond: number;
  resultsPerSecond: number;
  resultsPerCpuSecond: number | null;
  runs: number;
}> {
  const machines = 4;
  const perMachine = Math.ceil(ingestRuns / machines);
  const docs = Array.from({ length: machines }, (_, m) =>
    fixtureHistory({ machine: fixtureMachine(1000 + m), runs: perMachine, seed: 50 + m }),
  )
    .flat()
    .slice(0, ingestRuns)
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  const bodies = docs.map((d) => JSON.stringify(d));
  const server = await startGilbench(await newDatabase(backend, `ingest${clients}`), { adminToken: TOKEN });
  try {
    const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    let next = 0;
    const cpuBefore = cpuSeconds(server.child.pid!);
    const started = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (next < bodies.length) {
          const body = bodies[next++]!;
          const response = await fetch(`${server.url}/api/v1/runs`, { method: 'POST', headers, body });
          if (response.status !== 201) throw new Error(`upload failed: ${response.status} ${await response.text()}`);
          await response.arrayBuffer();
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const cpuAfter = cpuSeconds(server.child.pid!);
    const results = docs.length * RESULTS_PER_RUN;
    return {
      runs: docs.length,
      runsPerSecond: docs.length / seconds,
      resultsPerSecond: results / seconds,
      resultsPerCpuSecond: cpuBefore !== null && cpuAfter !== null ? results / (cpuAfter - cpuBefore) : null,
    };
  } finally {
    await server.stop();
  }
}

async function fillBigDatabase(file: string): Promise<{ seriesId: number; results: number; seconds: number }> {
  const repo = await openServices(file);
  const next = createRng(7);
  const totalRuns = Math.ceil(targetResults / RESULTS_PER_RUN);
  const longRuns = Math.min(HISTORY_POINTS, totalRuns);
  // One machine with a 10,000-run history; the rest spread over five more machines.
  const plan = [{ machine: fixtureMachine(1), runs: longRuns }];
  const rest = totalRuns - longRuns;
  for (let m = 0; m < 5 && rest > 0; m++) plan.push({ machine: fixtureMachine(2 + m), runs: Math.ceil(rest / 5) });
  const started = performance.now();
  let stored = 0;
  let index = 0;
  const day = 86_400_000;
  const end = Date.parse('2025-06-01T02:00:00Z');
  for (const { machine, runs } of plan) {
    const template = fixtureRun({ machine, seed: index + 1, startedAt: new Date(end) });
    for (let i = 0; i < runs && stored < totalRuns; i++) {
      const doc = derive(template, ++index, end - (runs - 1 - i) * (day / 4), next);
      await repo.ingestRun(doc, { uploadedBy: null, now: Date.now() });
      stored++;
      if (stored % 2000 === 0) {
        process.stderr.write(
          `  filled ${fmt(stored * RESULTS_PER_RUN)} results (${fmt((performance.now() - started) / 1000, 0)} s)\n`,
        );
      }
    }
  }
  const [series] = await repo.listSeries({ machine: 1, suite: 'calls', benchmark: 'positional', limit: 1 });
  await repo.close();
  if (isPostgres(file)) {
    // What autovacuum does soon after a fill: statistics, and the visibility map index-only scans need.
    await withPg(file, (c) => c.query('VACUUM (ANALYZE)'));
  } else withFile(file, (sqlite) => sqlite.pragma('wal_checkpoint(TRUNCATE)'));
  return { seriesId: series!.id, results: stored * RESULTS_PER_RUN, seconds: (performance.now() - started) / 1000 };
}

async function measureHistory(file: string, seriesId: number) {
  // The server keeps a series' points in memory until the series changes (its version, bumped
  // by every upload to it). "Uncached" bumps the version from another connection before each
  // request, as an upload from another process would: every answer is read from the database,
  // and (its `limit` one point shorter each time, as a new point makes it) is a new text, which
  // the server compresses anew. "New range" asks for another `limit` each time: cut from the
  // points in memory, as a dashboard zooming. "Warm" repeats one URL (its compressed bytes are
  // kept). Requests ask for brotli or gzip as a browser does; "warm, uncompressed" asks for neither.
  const repo = await openServices(file);
  // Another connection, as another process's upload would be.
  const other = isPostgres(file) ? new pg.Client({ connectionString: file }) : new Database(file);
  if (other instanceof pg.Client) await other.connect();
  const changeSeries = async () => {
    if (other instanceof pg.Client)
      await other.query('UPDATE series SET version = version + 1 WHERE id = $1', [seriesId]);
    else other.prepare('UPDATE series SET version = version + 1 WHERE id = ?').run(seriesId);
  };
  const first = JSON.parse((await repo.seriesHistoryJson(seriesId, {}))!).points.at[0] as number;
  const inProcess: number[] = [];
  let points = 0;
  for (let i = 0; i < requests + 10; i++) {
    await changeSeries();
    const t = performance.now();
    const text = await repo.seriesHistoryJson(seriesId, { from: first - 1 - i });
    if (i >= 10) inProcess.push(performance.now() - t);
    points = JSON.parse(text!).points.at.length;
  }

  const server = await startGilbench(file, { adminToken: TOKEN });
  const uncached: number[] = [];
  const newRange: number[] = [];
  const warm: number[] = [];
  const warmPlain: number[] = [];
  const decode: number[] = [];
  let bytes = 0;
  try {
    // Timed until the body's last byte arrived, as sent: the server's latency. Decoding it is the
    // client's work, timed apart (fetch's own decoding of a 1.1 MB brotli body takes ~30 ms in JS
    // streams here, a browser's far less), and checked: every answer must be the history.
    const get = async (query: string, into: number[] | null, encoding = 'br, gzip') => {
      const headers = { authorization: `Bearer ${TOKEN}`, 'accept-encoding': encoding };
      const t = performance.now();
      const { status, contentEncoding, body } = await rawGet(
        `${server.url}/api/v1/series/${seriesId}/history${query}`,
        headers,
      );
      into?.push(performance.now() - t);
      if (status !== 200) throw new Error(`history: ${status} ${body.toString('utf8', 0, 200)}`);
      const d = performance.now();
      const plain =
        contentEncoding === 'br' ? brotliDecompressSync(body) : contentEncoding === 'gzip' ? gunzipSync(body) : body;
      if (into && contentEncoding) decode.push(performance.now() - d);
      if (!plain.toString('utf8', 0, 16).startsWith('{')) throw new Error('history: not JSON');
      if (query === '') bytes = plain.byteLength;
    };
    for (let i = 0; i < 10; i++) await get(`?from=${first - 10_000 - i}`, null);
    for (let i = 0; i < requests; i++) {
      await changeSeries();
      await get(`?limit=${points - 1 - i}`, uncached);
    }
    for (let i = 0; i < requests; i++) await get(`?limit=${points - 1 - requests - i}`, newRange);
    for (let i = 0; i <= requests; i++) await get('', i === 0 ? null : warm);
    for (let i = 0; i <= requests; i++) await get('', i === 0 ? null : warmPlain, 'identity');
  } finally {
    await server.stop();
    if (other instanceof pg.Client) await other.end();
    else other.close();
    await repo.close();
  }
  for (const xs of [inProcess, uncached, newRange, warm, warmPlain, decode]) xs.sort((a, b) => a - b);
  return { points, bytes, inProcess, uncached, newRange, warm, warmPlain, decode };
}

/** A GET over node:http that leaves the body as sent (no decoding). */
function rawGet(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; contentEncoding: string | null; body: Buffer }> {
  return new Promise((resolve, reject) => {
    httpGet(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          contentEncoding: (res.headers['content-encoding'] as string | undefined) ?? null,
          body: Buffer.concat(chunks),
        }),
      );
      res.on('error', reject);
    }).on('error', reject);
  });
}

/** The PostgreSQL cluster of this benchmark (started when a backend needs it). */
let cluster: Awaited<ReturnType<typeof startCluster>> | null = null;

/** A new database of `backend` for one measurement, as a `--db` value. */
async function newDatabase(backend: string, name: string): Promise<string> {
  if (backend === 'sqlite') return join(temp.dir, `${name}.db`);
  cluster ??= await startCluster({ durable: true });
  return (await createDatabase(cluster.url, `gb_${name}`)).url;
}

const isPostgres = (db: string) => /^postgres(ql)?:/.test(db);

async function withPg<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Bytes the database takes on disk: the file (after a checkpoint), or what PostgreSQL reports for it. */
async function databaseSize(db: string): Promise<number> {
  if (!isPostgres(db)) return statSync(db).size;
  return withPg(db, async (c) => Number((await c.query('SELECT pg_database_size(current_database()) AS n')).rows[0].n));
}

/** Runs `fn` on a plain connection to the SQLite file (for what the store does not offer: checkpoints, dbstat). */
function withFile<T>(file: string, fn: (sqlite: Database.Database) => T): T {
  const sqlite = new Database(file);
  try {
    return fn(sqlite);
  } finally {
    sqlite.close();
  }
}

async function sizeBreakdown(file: string): Promise<Array<{ name: string; bytes: number }>> {
  if (isPostgres(file)) {
    return withPg(file, async (c) =>
      (
        await c.query(
          `SELECT relname AS name, pg_total_relation_size(oid) AS bytes FROM pg_class
           WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY bytes DESC LIMIT 6`,
        )
      ).rows.map((r) => ({ name: r.name as string, bytes: Number(r.bytes) })),
    );
  }
  try {
    return withFile(
      file,
      (sqlite) =>
        sqlite
          .prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC LIMIT 6')
          .all() as Array<{ name: string; bytes: number }>,
    );
  } catch {
    return [];
  }
}

async function main() {
  const load = () => loadavg()[0]!.toFixed(1);
  console.log(
    `gilbench server benchmark (${new Date().toISOString()}, node ${process.version}, load average ${load()})\n`,
  );
  for (const backend of backends) {
    console.log(
      `\n== ${backend}${backend === 'postgres' ? ' (a private PostgreSQL cluster, durable commits)' : ''} ==`,
    );
    if (parts.has('ingest')) await ingestPart(backend);
    if (parts.has('history')) await historyPart(backend);
    if (parts.has('load')) await loadPart(backend);
  }
  if (backends.includes('postgres') && parts.has('claims')) {
    process.stderr.write(`jobs: 20 agents claiming from 3 server processes for ${claimSeconds} s...\n`);
    const claims = await measureClaims({
      db: await newDatabase('postgres', 'claims'),
      seconds: claimSeconds,
      token: TOKEN,
    });
    console.log(`\n== jobs on PostgreSQL ==`);
    console.log(
      `20 agents claiming from 3 server processes on one database for ${claimSeconds} s: ${fmt(claims.claimsPerSecond, 1)} claims/s ` +
        `(${claims.completed} jobs claimed, uploaded and completed; each claim, upload and completion one HTTP call)`,
    );
    console.log(
      `  no job held by two agents at once: ${claims.heldTwice === 0 ? 'yes' : `NO (${claims.heldTwice})`} ` +
        `(every job claimed once, its holders one machine); every run stored exactly once: ` +
        `${claims.runsStored === claims.completed && claims.duplicateRuns === 0 ? 'yes' : 'NO'} (${claims.runsStored} runs for ${claims.completed} completed jobs, ${claims.duplicateRuns} duplicates)`,
    );
  }
  await cluster?.stop();
  console.log(`(load average at the end: ${load()})`);
  if (!values.keep) temp.remove();
  else console.log(`kept ${temp.dir}`);
}

const line = (label: string, xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return `${label}: p50 ${fmt(quantile(sorted, 0.5), 1)} ms, p99 ${fmt(quantile(sorted, 0.99), 1)} ms, max ${fmt(sorted.at(-1) ?? Number.NaN, 1)} ms (${sorted.length} answers)`;
};

async function loadPart(backend: string) {
  process.stderr.write(`load: ${uploaders} uploaders for ${loadSeconds} s, five reader processes...\n`);
  const report = await measureLoad({
    db: await newDatabase(backend, 'load'),
    seconds: loadSeconds,
    uploaders,
    token: TOKEN,
    requests,
    storedIds: async (db) => {
      const rows: Array<{ id: string; n: number }> = isPostgres(db)
        ? await withPg(db, async (c) => (await c.query('SELECT id, count(*)::int AS n FROM runs GROUP BY id')).rows)
        : withFile(db, (sqlite) => sqlite.prepare('SELECT id, count(*) AS n FROM runs GROUP BY id').all() as never);
      return new Map(rows.map((r) => [r.id, r.n]));
    },
  });
  console.log(
    `compare of a stored ${report.compare507.results}-result default-profile run (60 samples a result): first answer ${fmt(report.compare507.first, 0)} ms (computed), then`,
  );
  console.log(`  ${line(`cached, ${requests} requests`, report.compare507.cached)}`);
  console.log(
    `reads while ${report.uploaders} uploaders send 63-result runs for ${report.seconds} s (${report.accepted} runs accepted, ${fmt(report.accepted / report.seconds, 1)} runs/s; ${report.busy} answers 503 from the full ingest queue, each sent again after its Retry-After), each read from a process of its own every 100 ms:`,
  );
  for (const [name, times] of Object.entries(report.reads)) console.log(`  ${line(name, times)}`);
  console.log(
    `  every accepted upload stored exactly once: ${report.storedOnce === report.accepted && report.storedRows === report.accepted ? 'yes' : 'NO'} (${report.storedOnce} of ${report.accepted} accepted stored once; ${report.storedRows} rows)` +
      (report.failures.length
        ? `; ${report.failures.length} uploads refused: ${report.failures.slice(0, 3).join('; ')}`
        : ''),
  );
}

async function ingestPart(backend: string) {
  for (const clients of ingestClients) {
    process.stderr.write(`ingest: ${ingestRuns} runs over HTTP, ${clients} in flight...\n`);
    const ingest = await measureIngest(backend, clients);
    console.log(
      `ingest over HTTP (validation + storage + detection), ${ingest.runs} runs of ${RESULTS_PER_RUN} results, ${clients} in flight: ${fmt(ingest.runsPerSecond, 1)} runs/s, ${fmt(ingest.resultsPerSecond)} results/s` +
        (ingest.resultsPerCpuSecond
          ? ` (${fmt(ingest.resultsPerCpuSecond)} results per CPU-second of the server)`
          : ''),
    );
  }
}

async function historyPart(backend: string) {
  const file = await newDatabase(backend, 'big');
  process.stderr.write(`filling a database with ${fmt(targetResults)} results...\n`);
  const fill = await fillBigDatabase(file);
  const size = await databaseSize(file);
  console.log(
    `database: ${fmt(fill.results)} results (filled through the services in ${fmt(fill.seconds, 0)} s, ${fmt(fill.results / fill.seconds)} results/s without HTTP, validation or detection)`,
  );
  console.log(
    `database size: ${fmt(size / 2 ** 20, 0)} MiB, ${fmt(size / fill.results)} bytes per result, ${fmt(((size / fill.results) * 1e6) / 2 ** 20, 0)} MiB per 1,000,000 results`,
  );
  const breakdown = await sizeBreakdown(file);
  if (breakdown.length) {
    console.log(`  largest parts: ${breakdown.map((b) => `${b.name} ${fmt(b.bytes / 2 ** 20, 0)} MiB`).join(', ')}`);
  }

  const history = await measureHistory(file, fill.seriesId);
  const line = (label: string, xs: number[]) =>
    `${label}: p50 ${fmt(quantile(xs, 0.5), 1)} ms, p99 ${fmt(quantile(xs, 0.99), 1)} ms, max ${fmt(xs.at(-1)!, 1)} ms`;
  console.log(
    `history of a series with ${fmt(history.points)} points (${fmt(history.bytes / 1024, 0)} KiB of JSON, points as columns), ${requests} requests each:`,
  );
  console.log(
    `  ${line('over HTTP, uncached (the series changed before each request: read from the database, a new text compressed)', history.uncached)}`,
  );
  console.log(`  ${line('over HTTP, a new range each request (cut from the series in memory)', history.newRange)}`);
  console.log(`  ${line('over HTTP, warm (the same URL again: its compressed bytes kept)', history.warm)}`);
  console.log(`  ${line('over HTTP, warm, uncompressed (Accept-Encoding: identity)', history.warmPlain)}`);
  console.log(`  ${line('in process, uncached (query and JSON)', history.inProcess)}`);
  console.log(
    `  ${line('(the client decoding a compressed answer, not counted above: zlib in process)', history.decode)}`,
  );
}

await main();
