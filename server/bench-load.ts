/**
 * The reads-under-load part of `npm run bench:server` (issue #13): many
 * uploaders send default-profile-sized run documents to one `gilbench server`
 * for a while, retrying a 503 after its Retry-After as the agent does, while
 * five reader processes of their own each ask one answer again and again:
 * `/health`, the overview's data (`/machines`), a compare, a history and a
 * scaling answer. Separate processes, so a reader's figure is the server's
 * answer time, not the benchmark's own busy loop. Afterwards the database
 * says whether every accepted upload is stored exactly once.
 *
 * Also: the compare of a stored 507-result default-profile run (60 samples a
 * result), its first answer (computed) and then `requests` more (cached).
 *
 * @example const r = await measureLoad({ db: '/tmp/load.db', seconds: 60, uploaders: 50, token });
 */
import { spawn } from 'node:child_process';
import type { RunDocument } from '../harness/schema.ts';
import { describeAfterLoopCost } from '../harness/stats/describe.ts';
import { createRng, normalDeviate } from '../harness/stats/prng.ts';
import { type FixtureCase, fixtureMachine, fixtureRun, startGilbench } from './test-support/index.ts';

export interface LoadReport {
  seconds: number;
  uploaders: number;
  accepted: number;
  /** Answers 503 (the ingest queue full), each tried again after its Retry-After. */
  busy: number;
  failures: string[];
  reads: Record<string, number[]>;
  /** Run ids accepted that the database holds exactly once, and what it holds in all. */
  storedOnce: number;
  storedRows: number;
}

async function call(url: string, method: string, path: string, token: string, body?: string) {
  const response = await fetch(`${url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body,
  });
  const text = await response.text();
  return { status: response.status, text, retryAfter: Number(response.headers.get('retry-after') ?? 0) };
}

/** GET `path` every 100 ms for `seconds` from a node process of its own; its answer times in ms. */
function readFromAnotherProcess(url: string, seconds: number): Promise<number[]> {
  const script = `
    import http from 'node:http';
    const times = [];
    const end = performance.now() + ${seconds * 1000};
    while (performance.now() < end) {
      const t0 = performance.now();
      await new Promise((resolve) => {
        const req = http.get(${JSON.stringify(url)}, { agent: false }, (res) => {
          res.resume();
          res.on('end', () => { if (res.statusCode === 200) times.push(performance.now() - t0); resolve(); });
        });
        req.on('error', resolve);
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    process.stdout.write(JSON.stringify(times));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
    });
    child.on('error', reject);
    child.on('exit', () => resolve(JSON.parse(out || '[]') as number[]));
  });
}

/** 169 cases in gil, nogil and ft-gil: 507 results of 60 samples each (the default profile's 10 x 6). */
export function run507(seed: number): RunDocument {
  const cases: FixtureCase[] = [];
  for (let i = 0; cases.length < 169; i++) {
    cases.push(
      i % 3 === 0
        ? {
            suite: 'scaling',
            benchmark: `work-${i % 16}`,
            params: { threads: 2 ** (i % 2) * (1 + Math.floor(i / 32)) },
          }
        : { suite: i % 3 === 1 ? 'calls' : 'single-thread', benchmark: `kernel-${i}`, params: {} },
    );
  }
  const unique = [...new Map(cases.map((c) => [`${c.suite}/${c.benchmark}/${JSON.stringify(c.params)}`, c])).values()];
  const doc = fixtureRun({
    machine: fixtureMachine(4242),
    seed,
    startedAt: new Date(Date.UTC(2025, 4, 1)),
    cases: unique,
  });
  const next = createRng(seed);
  return {
    ...doc,
    results: doc.results.map((r) => {
      const level = r.stats?.median ?? 1000;
      const samples = Array.from({ length: 60 }, () => level * Math.exp(0.02 * normalDeviate(next)) + r.loopCostNs);
      return { ...r, samples, stats: describeAfterLoopCost(samples, r.loopCostNs) };
    }),
  };
}

export async function measureLoad(opts: {
  db: string;
  seconds: number;
  uploaders: number;
  token: string;
  requests: number;
  /** Every id of a stored run and how often it is stored. */
  storedIds(db: string): Promise<Map<string, number>>;
}): Promise<LoadReport & { compare507: { first: number; cached: number[]; results: number } }> {
  const server = await startGilbench(opts.db, { adminToken: opts.token, args: ['--public'] });
  try {
    // What the readers ask: a stored run with a scaling suite, and one of its series.
    const seedDoc = fixtureRun({ machine: fixtureMachine(4241), seed: 1, startedAt: new Date(Date.UTC(2025, 4, 1)) });
    const stored = await call(server.url, 'POST', '/runs', opts.token, JSON.stringify(seedDoc));
    if (stored.status !== 201) throw new Error(`seed upload: ${stored.status} ${stored.text}`);
    const series = JSON.parse((await call(server.url, 'GET', '/series?suite=calls', opts.token)).text).series[0].id;

    const big = run507(7);
    const bigStored = await call(server.url, 'POST', '/runs', opts.token, JSON.stringify(big));
    if (bigStored.status !== 201) throw new Error(`507-result upload: ${bigStored.status} ${bigStored.text}`);
    const comparePath = `/runs/${big.id}/compare?other=nogil`;
    let t0 = performance.now();
    const first = await call(server.url, 'GET', comparePath, opts.token);
    if (first.status !== 200) throw new Error(`compare: ${first.status} ${first.text}`);
    const firstMs = performance.now() - t0;
    const cached: number[] = [];
    for (let i = 0; i < opts.requests; i++) {
      t0 = performance.now();
      await call(server.url, 'GET', comparePath, opts.token);
      cached.push(performance.now() - t0);
    }

    const api = `${server.url}/api/v1`;
    const readers = {
      health: `${api}/health`,
      overview: `${api}/machines`,
      compare: `${api}/runs/${seedDoc.id}/compare?other=nogil`,
      history: `${api}/series/${series}/history`,
      scaling: `${api}/runs/${seedDoc.id}/scaling`,
    };
    const reading = Object.entries(readers).map(
      async ([name, url]) => [name, await readFromAnotherProcess(url, opts.seconds)] as const,
    );
    const accepted = new Set<string>();
    const failures: string[] = [];
    let busy = 0;
    const deadline = performance.now() + opts.seconds * 1000;
    const base = Date.UTC(2025, 0, 1);
    await Promise.all(
      Array.from({ length: opts.uploaders }, async (_, u) => {
        const machine = fixtureMachine(50_000 + u, []);
        for (let seq = 1; performance.now() < deadline; seq++) {
          const doc = fixtureRun({ machine, seed: seq, startedAt: new Date(base + seq * 3_600_000) });
          const body = JSON.stringify(doc);
          for (let attempt = 1; attempt <= 100; attempt++) {
            const answer = await call(server.url, 'POST', '/runs', opts.token, body).catch((err: Error) => ({
              status: 0,
              text: err.message,
              retryAfter: 1,
            }));
            if (answer.status === 201 || answer.status === 200) {
              accepted.add(doc.id);
              break;
            }
            if (answer.status === 503 || answer.status === 0) {
              busy += answer.status === 503 ? 1 : 0;
              await new Promise((r) => setTimeout(r, Math.max(1, answer.retryAfter) * 1000 * (0.5 + Math.random())));
              continue;
            }
            failures.push(`uploader ${u} run ${seq}: ${answer.status} ${answer.text.slice(0, 200)}`);
            break;
          }
        }
      }),
    );
    const reads = Object.fromEntries(await Promise.all(reading));
    const ids = await opts.storedIds(opts.db);
    let storedOnce = 0;
    for (const id of accepted) if (ids.get(id) === 1) storedOnce++;
    let storedRows = 0;
    for (const n of ids.values()) storedRows += n;
    return {
      seconds: opts.seconds,
      uploaders: opts.uploaders,
      accepted: accepted.size,
      busy,
      failures,
      reads,
      storedOnce,
      // Less the two the readers read.
      storedRows: storedRows - 2,
      compare507: { first: firstMs, cached, results: big.results.length },
    };
  } finally {
    await server.stop();
  }
}
