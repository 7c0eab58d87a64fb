/**
 * The jobs part of `npm run bench:server`: 20 agents claiming work from 3
 * `gilbench server` processes on one PostgreSQL database for a while. An
 * agent here is an HTTP client with its own enrolled machine that loops:
 * claim, upload a small run for the job, complete the job with it (a real
 * agent would measure in between; that time is not what is measured here).
 * Afterwards the database says whether any job was ever held by two agents
 * and whether every completed job's run is stored exactly once.
 *
 * @example const r = await measureClaims({ db: 'postgres://…', seconds: 60, token });
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { fixtureMachine, fixtureRun, type ServerProcess, startGilbench } from './test-support/index.ts';

const AGENTS = 20;
const SERVERS = 3;

async function call(url: string, method: string, path: string, token: string, body?: unknown) {
  const response = await fetch(`${url}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null, text };
}

export interface ClaimsReport {
  claimsPerSecond: number;
  completed: number;
  /** Jobs whose holders list more than one machine, or claimed more than once. */
  heldTwice: number;
  runsStored: number;
  duplicateRuns: number;
}

export async function measureClaims(opts: { db: string; seconds: number; token: string }): Promise<ClaimsReport> {
  const servers: ServerProcess[] = [];
  try {
    for (let i = 0; i < SERVERS; i++) servers.push(await startGilbench(opts.db, { adminToken: opts.token }));
    const first = servers[0]!.url;
    const enroll = (await call(first, 'POST', '/tokens', opts.token, { role: 'enroll', name: 'bench', uses: null }))
      .json.token;
    const agents = await Promise.all(
      Array.from({ length: AGENTS }, async (_, i) => {
        const machine = fixtureMachine(30_000 + i, []);
        const url = servers[i % SERVERS]!.url;
        const enrolled = await call(url, 'POST', '/agents/enroll', enroll, { machine });
        if (enrolled.status !== 201) throw new Error(`enroll: ${enrolled.status} ${enrolled.text}`);
        // A small run: one result per upload keeps the claim loop, not ingest, the thing measured.
        const template = fixtureRun({ machine, seed: i + 1, startedAt: new Date('2025-06-01T00:00:00Z') });
        return { url, token: enrolled.json.token as string, template };
      }),
    );
    // Enough queued work for the whole time, made in the database at once (one API call each
    // would take longer than the measurement on a busy machine).
    const seed = new pg.Client({ connectionString: opts.db });
    await seed.connect();
    await seed.query(
      `INSERT INTO jobs (suites, modes, labels, profile, status, created_at, updated_at)
       SELECT '["calls"]', '["gil"]', '[]', NULL, 'queued', $1::bigint + i, $1::bigint + i FROM generate_series(1, $2) i`,
      [Date.now(), Math.max(1000, opts.seconds * 500)],
    );
    await seed.end();
    let completed = 0;
    const deadline = Date.now() + opts.seconds * 1000;
    const started = performance.now();
    await Promise.all(
      agents.map(async (agent, a) => {
        let n = 0;
        while (Date.now() < deadline) {
          const claim = await call(agent.url, 'POST', '/jobs/claim', agent.token, {});
          if (claim.status === 204 || !claim.json?.job) break;
          if (claim.status !== 200) throw new Error(`claim: ${claim.status} ${claim.text}`);
          const job = claim.json.job as { id: number };
          const startedAt = Date.parse(agent.template.startedAt) + ++n * 60_000 + a;
          const doc = {
            ...agent.template,
            id: randomUUID(),
            jobId: String(job.id),
            startedAt: new Date(startedAt).toISOString(),
            finishedAt: new Date(startedAt + 30_000).toISOString(),
            results: agent.template.results.slice(0, 1),
          };
          const uploaded = await call(agent.url, 'POST', '/runs', agent.token, doc);
          if (uploaded.status !== 201) throw new Error(`upload: ${uploaded.status} ${uploaded.text}`);
          const done = await call(agent.url, 'POST', `/jobs/${job.id}/complete`, agent.token, { runId: doc.id });
          if (done.status !== 200) throw new Error(`complete: ${done.status} ${done.text}`);
          completed++;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const client = new pg.Client({ connectionString: opts.db });
    await client.connect();
    try {
      const held = await client.query(
        'SELECT count(*)::int AS n FROM jobs WHERE jsonb_array_length(holders) > 1 OR attempts > 1',
      );
      const runs = await client.query(
        `SELECT count(*)::int AS stored, (SELECT count(*)::int FROM (SELECT job_id FROM runs GROUP BY job_id HAVING count(*) > 1) d) AS dup
         FROM runs r JOIN jobs j ON j.run_id = r.id AND j.status = 'completed'`,
      );
      return {
        claimsPerSecond: completed / seconds,
        completed,
        heldTwice: held.rows[0].n,
        runsStored: runs.rows[0].stored,
        duplicateRuns: runs.rows[0].dup,
      };
    } finally {
      await client.end();
    }
  } finally {
    for (const s of servers) await s.stop();
  }
}
