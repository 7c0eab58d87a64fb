/**
 * Load: many agents, each an enrolled machine with its own token and its own
 * loopback address, upload realistic run documents (harness/test-support/history.ts: three
 * modes, 60 results, 30-100 samples each) to a real `gilbench server` process
 * as fast as it answers. Some uploads are repeated on purpose: the same run
 * twice at once, and an earlier run again. Afterwards the database must hold
 * every accepted run exactly once, each with all its results.
 *
 * Prints the rate and latencies; asserts only correctness, never speed.
 * Short: 10 clients x 5 s; full (GILBENCH_RELIABILITY=full): 50 clients x 60 s.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Machine } from '../../harness/schema.ts';
import { tempDir } from '../../harness/test-support/index.ts';
import {
  ADMIN_TOKEN,
  type Answer,
  api,
  bearer,
  fixtureMachine,
  fixtureRun,
  inspectDatabase,
  killStarted,
  loopback,
  NoAnswer,
  partialRuns,
  percentile,
  send,
  shapeOf,
  size,
  startGilbench,
  tokensIn,
  type UploadedShape,
} from '../test-support/index.ts';

const CLIENTS = size(10, 50);
const SECONDS = size(5, 60);
/** Each client's loop ends at the time limit or after this many runs, whichever comes first. */
const MAX_RUNS_PER_CLIENT = size(500, 5000);
/** Every 10th run goes up twice at once; every 10th (another one) is followed by an earlier run again. */
const PAIR_EVERY = 10;

interface Client {
  index: number;
  machine: Machine;
  token: string;
  agent: http.Agent;
}

interface Tally {
  latencies: number[];
  /** Run id -> what the document held, for every run the server said it has. */
  expected: Map<string, UploadedShape>;
  created: number;
  pairs: number;
  repeats: number;
  reconnects: number;
  /** Uploads answered 503 (the ingest queue full) and sent again after Retry-After. */
  busy: number;
  failures: string[];
}

describe('load', () => {
  const { dir, remove: cleanup } = tempDir('gilbench-load-');
  afterAll(async () => {
    await killStarted();
    cleanup();
  });

  it(`${CLIENTS} agents upload runs for ${SECONDS} s; every accepted run is stored exactly once`, {
    timeout: (SECONDS + 240) * 1000,
  }, async () => {
    const file = join(dir, 'load.db');
    const server = await startGilbench(file);
    const { token: enrollToken } = await api(server.url, 'POST', '/tokens', {
      role: 'enroll',
      name: 'load',
      uses: null,
    });

    // One enrollment per address: the enrollment rate limit counts per client address.
    const clients: Client[] = await Promise.all(
      Array.from({ length: CLIENTS }, async (_, index) => {
        const localAddress = loopback(1, index);
        const machine = fixtureMachine(10_000 + index, ['load']);
        const answer = await send(server.url, {
          method: 'POST',
          path: '/api/v1/agents/enroll',
          headers: bearer(enrollToken, true),
          body: JSON.stringify({ machine }),
          localAddress,
        });
        expect(answer.status, answer.body.toString()).toBe(201);
        const { token } = answer.json() as { token: string };
        return { index, machine, token, agent: new http.Agent({ keepAlive: true, maxSockets: 2, localAddress }) };
      }),
    );

    const tally: Tally = {
      latencies: [],
      expected: new Map(),
      created: 0,
      pairs: 0,
      repeats: 0,
      reconnects: 0,
      busy: 0,
      failures: [],
    };

    /**
     * One upload; a cut connection is tried again (as the agent does), so a 200 may follow it;
     * a 503 from the full ingest queue is tried again after its Retry-After (as the agent does).
     */
    const upload = async (client: Client, body: string): Promise<{ answer: Answer; retried: boolean }> => {
      let retried = false;
      for (let attempt = 1; ; attempt++) {
        try {
          const answer = await send(server.url, {
            method: 'POST',
            path: '/api/v1/runs',
            headers: bearer(client.token, true),
            body,
            agent: client.agent,
          });
          tally.latencies.push(answer.ms);
          const wait = Number(answer.headers['retry-after']);
          if (answer.status === 503 && wait > 0 && attempt < 100) {
            tally.busy++;
            retried = true;
            await new Promise((resolve) => setTimeout(resolve, wait * 1000 * (0.5 + Math.random())));
            continue;
          }
          return { answer, retried: retried || attempt > 1 };
        } catch (err) {
          if (!(err instanceof NoAnswer) || attempt >= 3) throw err;
          tally.reconnects++;
        }
      }
    };

    const outcome = (answer: Answer) => {
      const json = answer.json() as { created?: boolean; run?: { id?: string } } | undefined;
      return { status: answer.status, created: json?.created, id: json?.run?.id };
    };

    const started = performance.now();
    const deadline = started + SECONDS * 1000;
    const base = Date.parse('2025-01-01T00:00:00Z');

    const loop = async (client: Client) => {
      let previous: string | null = null;
      for (let seq = 1; seq <= MAX_RUNS_PER_CLIENT && performance.now() < deadline; seq++) {
        const doc = fixtureRun({ machine: client.machine, seed: seq, startedAt: new Date(base + seq * 3_600_000) });
        const body = JSON.stringify(doc);
        const fail = (what: string) => tally.failures.push(`client ${client.index} run ${seq} (${doc.id}): ${what}`);
        try {
          if (seq % PAIR_EVERY === 5) {
            // The same run twice at once: one upload stores it, the other finds it stored.
            const both = await Promise.all([upload(client, body), upload(client, body)]);
            tally.pairs++;
            const statuses = both.map((b) => b.answer.status).sort();
            const retried = both.some((b) => b.retried);
            if (!(statuses[0] === 200 && (statuses[1] === 201 || (retried && statuses[1] === 200)))) {
              fail(`the same run sent twice at once was answered ${statuses.join(' and ')}`);
              continue;
            }
          } else {
            const { answer, retried } = await upload(client, body);
            const o = outcome(answer);
            if (!(o.status === 201 && o.created === true) && !(retried && o.status === 200)) {
              fail(`answered ${answer.status} ${answer.body.toString('utf8').slice(0, 200)}`);
              continue;
            }
          }
          tally.created++;
          tally.expected.set(doc.id, shapeOf(doc));
          if (seq % PAIR_EVERY === 9 && previous) {
            // An earlier run again, as an agent does when an answer was lost: stored already.
            const { answer } = await upload(client, previous);
            tally.repeats++;
            const o = outcome(answer);
            if (o.status !== 200 || o.created !== false) fail(`a repeated upload was answered ${answer.status}`);
          }
          previous = body;
        } catch (err) {
          fail(`no answer: ${(err as Error).message}`);
        }
      }
    };
    // A reader beside the uploads: how long a trivial request waits behind the ingests.
    const healthMs: number[] = [];
    const prober = async () => {
      while (performance.now() < deadline && healthMs.length < 10_000) {
        try {
          const answer = await send(server.url, {
            method: 'GET',
            path: '/api/v1/health',
            localAddress: loopback(1, 249),
          });
          healthMs.push(answer.ms);
        } catch (err) {
          tally.failures.push(`health: ${(err as Error).message}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    };
    // The same probe from a process of its own: its figure is the server's
    // answer time alone, without this process's event loop, busy with fifty
    // uploaders, in between.
    const outside = probeFromAnotherProcess(server.url, SECONDS);
    await Promise.all([...clients.map(loop), prober()]);
    const outsideMs = await outside;
    const seconds = (performance.now() - started) / 1000;
    for (const client of clients) client.agent.destroy();

    // What the API reports before the server stops…
    const { machines } = await api(server.url, 'GET', '/machines');
    const perMachine = (machines as Array<{ runCount: number }>).reduce((sum, m) => sum + m.runCount, 0);
    expect(await server.stop()).toBe(0);
    // …and what the file holds.
    const report = inspectDatabase(file);

    expect(tally.failures.slice(0, 10)).toEqual([]);
    expect(report.integrity).toBe('ok');
    expect(report.foreignKeyProblems).toBe(0);
    expect(report.duplicates).toEqual([]);
    expect(report.runs.map((r) => r.id).sort()).toEqual([...tally.expected.keys()].sort());
    expect(partialRuns(report.runs, tally.expected)).toEqual([]);
    expect(perMachine).toBe(tally.expected.size);
    expect(tokensIn(server.output(), [ADMIN_TOKEN, enrollToken, ...clients.map((c) => c.token)])).toEqual([]);
    expect(tally.created).toBeGreaterThan(0);

    const ms = (q: number, values = tally.latencies) => Math.round(percentile(values, q));
    console.log(
      `load: ${CLIENTS} clients x ${SECONDS} s: ${tally.created} runs accepted (${(tally.created / seconds).toFixed(1)} runs/s), ` +
        `upload latency p50 ${ms(0.5)} ms, p99 ${ms(0.99)} ms over ${tally.latencies.length} uploads ` +
        `(GET /health meanwhile: p50 ${ms(0.5, healthMs)} ms, p99 ${ms(0.99, healthMs)} ms; ` +
        `from another process: p50 ${ms(0.5, outsideMs)} ms, p99 ${ms(0.99, outsideMs)} ms over ${outsideMs.length}) ` +
        `(${tally.pairs} runs sent twice at once, ${tally.repeats} sent again later, ${tally.reconnects} reconnects, ` +
        `${tally.busy} answered 503 by the full ingest queue and sent again); ` +
        `every accepted run stored exactly once with all its ${FIXTURE_RESULTS} results, none half-stored`,
    );
  });
});

/** GET /health every 250 ms for `seconds` from a separate node process; its answer times in ms. */
function probeFromAnotherProcess(url: string, seconds: number): Promise<number[]> {
  const script = `
    import { spawn } from 'node:child_process';
import http from 'node:http';
    const times = [];
    const end = performance.now() + ${seconds * 1000};
    while (performance.now() < end) {
      const t0 = performance.now();
      await new Promise((resolve) => {
        const req = http.get(${JSON.stringify(`${url}/api/v1/health`)}, { agent: false }, (res) => {
          res.resume();
          res.on('end', () => { times.push(performance.now() - t0); resolve(); });
        });
        req.on('error', resolve);
      });
      await new Promise((resolve) => setTimeout(resolve, 250));
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

const FIXTURE_RESULTS = fixtureRun({ machine: fixtureMachine(1), seed: 1, startedAt: new Date(0) }).results.length;
