/**
 * Security basics against real `gilbench server` processes: it listens on
 * 127.0.0.1 unless told otherwise; enrollment and failed authentication are
 * rate-limited per client address with 429 and Retry-After; bodies over the
 * limits get 413; pages and API answers carry a Content-Security-Policy and
 * the other safe headers; no token reaches the server's log. (The fuzzer
 * greps its server's log for every token it sent, too.) Short in both modes.
 */
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, createConnection } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, tempDir } from '../../harness/test-support/index.ts';
import {
  ADMIN_TOKEN,
  api,
  bearer,
  errorShapeProblem,
  fixtureHistory,
  fixtureMachine,
  fixtureRun,
  killStarted,
  listeningAddresses,
  loopback,
  type ServerProcess,
  send,
  startGilbench,
  tokensIn,
  track,
} from '../test-support/index.ts';

describe('security basics', () => {
  const { dir, remove: cleanup } = tempDir('gilbench-security-');
  let server: ServerProcess;
  let enrollToken: string;
  const secrets = new Set<string>([ADMIN_TOKEN]);

  beforeAll(async () => {
    server = await startGilbench(join(dir, 'security.db'));
    enrollToken = (await api(server.url, 'POST', '/tokens', { role: 'enroll', name: 'security', uses: null })).token;
    secrets.add(enrollToken);
  });

  afterAll(async () => {
    await killStarted();
    cleanup();
  });

  it('listens on 127.0.0.1 when no --host is given, serves pages with a CSP and safe headers', async () => {
    // No --host and the dashboard on: the defaults a user gets.
    const server = await startGilbench(join(dir, 'default.db'), { host: null, web: true, adminToken: null });
    const { url, child } = server;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const port = Number(new URL(url).port);
    // What the kernel says the process listens on, not what it printed.
    expect(listeningAddresses(child.pid!)).toEqual([`127.0.0.1:${port}`]);
    const outside = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    if (outside) {
      const refused = await new Promise<string>((resolve) => {
        const socket = createConnection({ host: outside, port });
        socket.once('connect', () => {
          socket.destroy();
          resolve('connected');
        });
        socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
      });
      expect(refused, `connecting to ${outside}:${port}`).toBe('ECONNREFUSED');
    }

    for (const path of ['/', '/app.js', '/style.css']) {
      const page = await send(url, { method: 'GET', path, timeoutMs: 120_000 });
      expect(page.status, path).toBe(200);
      const csp = String(page.headers['content-security-policy']);
      expect(csp, path).toContain("default-src 'self'");
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).toContain("object-src 'none'");
      expect(csp, path).not.toContain('unsafe-inline');
      expect(csp, path).not.toContain('unsafe-eval');
      expect(page.headers['x-content-type-options'], path).toBe('nosniff');
      expect(page.headers['x-frame-options'], path).toBe('DENY');
      expect(page.headers['referrer-policy'], path).toBe('no-referrer');
    }
    const api = await send(url, { method: 'GET', path: '/api/v1/health' });
    expect(api.status).toBe(200);
    expect(String(api.headers['content-security-policy'])).toContain("default-src 'none'");
    expect(api.headers['x-content-type-options']).toBe('nosniff');
    expect(api.headers['cache-control']).toBe('no-store');
    const missing = await send(url, { method: 'GET', path: '/api/v1/nothing-here' });
    expect(missing.status).toBe(404);
    expect(String(missing.headers['content-security-policy'])).toContain("default-src 'none'");
    child.kill('SIGTERM');
  });

  it('enrollment is rate-limited per address: 429 with Retry-After, and another address still enrolls', async () => {
    const enroll = (address: string, n: number) =>
      send(server.url, {
        method: 'POST',
        path: '/api/v1/agents/enroll',
        headers: bearer(enrollToken, true),
        body: JSON.stringify({ machine: fixtureMachine(30_000 + n) }),
        localAddress: address,
      });
    const statuses: number[] = [];
    for (let n = 0; n < 12; n++) {
      const answer = await enroll(loopback(5, 1), n);
      statuses.push(answer.status);
      if (answer.status === 201) secrets.add((answer.json() as { token: string }).token);
      if (answer.status === 429) {
        expect(errorShapeProblem(answer)).toBeNull();
        expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      }
    }
    expect(statuses).toEqual([...Array(10).fill(201), 429, 429]);
    const elsewhere = await enroll(loopback(5, 2), 99);
    expect(elsewhere.status).toBe(201);
    secrets.add((elsewhere.json() as { token: string }).token);
    // The refused enrollments stored nothing.
    expect((await api(server.url, 'GET', '/machines')).machines).toHaveLength(11);
  });

  it('failed authentication is rate-limited per address: 429 with Retry-After; valid tokens and other addresses are unaffected', async () => {
    const statuses: number[] = [];
    let retryAfter = 0;
    for (let n = 0; n < 40; n++) {
      const wrong = `gb_wrong-${n}-${'k'.repeat(40)}`;
      secrets.add(wrong);
      const answer = await send(server.url, {
        method: 'GET',
        path: '/api/v1/runs',
        headers: bearer(wrong),
        localAddress: loopback(5, 3),
      });
      expect(errorShapeProblem(answer)).toBeNull();
      statuses.push(answer.status);
      if (answer.status === 429) retryAfter = Number(answer.headers['retry-after']);
    }
    // The bucket holds 30 failures, then refills by one every 2 s: the next ones are mostly refused.
    expect(statuses.slice(0, 30)).toEqual(Array(30).fill(401));
    expect(statuses.slice(30).filter((s) => s === 429).length).toBeGreaterThanOrEqual(5);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    // A valid token is not refused, from the locked-out address or another: only failures are limited.
    const withAdminToken = (localAddress: string) =>
      send(server.url, { method: 'GET', path: '/api/v1/runs', headers: bearer(ADMIN_TOKEN), localAddress });
    expect((await withAdminToken(loopback(5, 3))).status).toBe(200);
    expect((await withAdminToken(loopback(5, 4))).status).toBe(200);
  });

  it('bodies over the limits get 413 (64 KiB for most routes, 32 MiB for runs), with a Content-Length or chunked', async () => {
    const before = (await api(server.url, 'GET', '/annotations')).annotations.length;
    const note = (bytes: number) => JSON.stringify({ text: 't'.repeat(bytes) });
    const cases = [
      { path: '/api/v1/annotations', body: note(64 * 1024 + 1), chunked: false },
      { path: '/api/v1/annotations', body: note(1024 * 1024), chunked: true },
      { path: '/api/v1/runs', body: `{"padding":"${'r'.repeat(32 * 1024 * 1024 + 1)}"}`, chunked: false },
    ];
    for (const c of cases) {
      const answer = await send(server.url, {
        method: 'POST',
        path: c.path,
        headers: bearer(ADMIN_TOKEN, true),
        body: c.body,
        chunked: c.chunked,
        // With a Content-Length over the limit the server answers before reading: the body need not go out.
        holdBody: !c.chunked,
        localAddress: loopback(5, 5),
      });
      expect(answer.status, `${c.path} ${c.body.length} bytes${c.chunked ? ' chunked' : ''}`).toBe(413);
      expect(errorShapeProblem(answer)).toBeNull();
      expect((answer.json() as { error: string }).error).toBe('too-large');
    }
    // Just under the limit is taken.
    const fits = await send(server.url, {
      method: 'POST',
      path: '/api/v1/annotations',
      headers: bearer(ADMIN_TOKEN, true),
      body: JSON.stringify({ text: 'fits', at: 0 }),
    });
    expect(fits.status).toBe(201);
    expect((await api(server.url, 'GET', '/annotations')).annotations.length).toBe(before + 1);
  });

  it('no token ever reaches the server log', () => {
    expect(secrets.size).toBeGreaterThan(40);
    expect(tokensIn(server.output(), secrets)).toEqual([]);
  });
});

/**
 * Issue 14, case 2 as tried: a job whose `suites` held the absolute path of a
 * `.py` file made a real agent (`--once`) import, and so execute, that file.
 * Each suite file here writes a marker when imported; a real server and real
 * agents, started as in production (no allow-list unless the case sets one).
 */
describe('as tried: a job cannot make an agent run any Python file', () => {
  const { dir, remove: cleanup } = tempDir('gilbench-job-content-');
  let server: ServerProcess;
  let enrollToken: string;
  const outside = join(dir, 'outside');
  const allowed = join(dir, 'allowed');
  /** A suite that leaves `marker` behind when it is imported, and measures nothing much. */
  const markingSuite = (file: string, marker: string) =>
    writeFileSync(
      file,
      `open(${JSON.stringify(marker)}, "a").write("imported\\n")\n\ndef bench_noop(loops, ctx):\n    for _ in range(loops):\n        pass\n`,
    );
  const evil = join(outside, 'evil.py');
  const evilMarker = join(outside, 'evil-was-imported');
  const good = join(allowed, 'good.py');
  const goodMarker = join(allowed, 'good-was-imported');
  const tokenFile = join(dir, 'enroll-token');

  beforeAll(async () => {
    mkdirSync(outside);
    mkdirSync(allowed);
    markingSuite(evil, evilMarker);
    markingSuite(good, goodMarker);
    // A link inside the allowed folder that leads out of it.
    symlinkSync(evil, join(allowed, 'link.py'));
    server = await startGilbench(join(dir, 'jobs.db'));
    enrollToken = (await api(server.url, 'POST', '/tokens', { role: 'enroll', name: 'job-content', uses: null })).token;
    // As the deployment examples do: the token in a file only its owner reads, not on the command line.
    writeFileSync(tokenFile, `${enrollToken}\n`, { mode: 0o600 });
  });

  afterAll(async () => {
    await killStarted();
    cleanup();
  });

  /** Queues a job, runs one real `gilbench agent --once` on it; returns its exit code, log and the job after. */
  async function runJob(suites: string[], extra: string[] = []) {
    const { job } = await api(server.url, 'POST', '/jobs', { suites, modes: ['gil'], profile: 'quick' });
    const agent = startCli([
      'agent',
      '--once',
      '--server',
      server.url,
      '--token-file',
      tokenFile,
      '--spool',
      join(dir, 'spool'),
      ...extra,
    ]);
    track(agent.child);
    const cmdline = readFileSync(`/proc/${agent.child.pid}/cmdline`, 'utf8');
    const code = await agent.exited;
    expect(cmdline).toContain(tokenFile);
    expect(cmdline).not.toContain(enrollToken);
    expect(agent.stderr()).not.toMatch(/plain http|may be read by other users/);
    const after = (await api(server.url, 'GET', `/jobs/${job.id}`)).job;
    return { code, log: agent.stderr(), job: after as { status: string; error: string | null } };
  }

  it('without --allow-suite-dir a job naming a suite file fails with a clear message and imports nothing', async () => {
    const { code, log, job } = await runJob([evil]);
    expect(existsSync(evilMarker), log).toBe(false);
    expect(code, log).toBe(1);
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/runs only built-in suites .*--allow-suite-dir/);
    // A built-in suite next to it does not carry it through either.
    const mixed = await runJob(['selftest', evil]);
    expect(existsSync(evilMarker), mixed.log).toBe(false);
    expect(mixed.job.status).toBe('failed');
  }, 120_000);

  it('with --allow-suite-dir a file inside runs; a symlink or .. out of the folder is refused', async () => {
    for (const suites of [['link.py'], [join(allowed, 'link.py')], ['../outside/evil.py'], [evil]]) {
      const { code, log, job } = await runJob(suites, ['--allow-suite-dir', allowed]);
      expect(existsSync(evilMarker), `${suites}: ${log}`).toBe(false);
      expect(code, log).toBe(1);
      expect(job.status).toBe('failed');
      expect(job.error, String(suites)).toMatch(/outside the folders this agent may run suites from/);
    }
    // A comma list; a relative path is looked up in each folder in turn.
    const other = join(dir, 'other');
    mkdirSync(other);
    const { code, log, job } = await runJob(['good.py'], ['--allow-suite-dir', `${other},${allowed}`]);
    expect(existsSync(goodMarker), log).toBe(true);
    expect(code, log).toBe(0);
    expect(job.status).toBe('completed');
    expect(existsSync(evilMarker)).toBe(false);
  }, 300_000);
});

/**
 * Issue 14, case 4 as tried: every detected change was its own webhook POST,
 * all at once (each retried up to 5 times), and hostnames went unescaped into
 * the text. Here one upload changes every series of a machine whose hostname
 * is chat markup; a real server posts to a real receiver on 127.0.0.1.
 */
describe('as tried: one upload that changes every series makes one webhook alert, escaped', () => {
  const { dir, remove: cleanup } = tempDir('gilbench-webhook-');
  const received: Array<{ text: string; changes: unknown[]; counts: { regressions: number } }> = [];
  let receiver: Server;
  let server: ServerProcess;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let text = '';
      req.on('data', (b: Buffer) => {
        text += b;
      });
      req.on('end', () => {
        received.push(JSON.parse(text));
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    server = await startGilbench(join(dir, 'webhook.db'), { args: ['--webhook', hook] });
  });

  afterAll(async () => {
    await killStarted();
    receiver.close();
    cleanup();
  });

  it('sends one POST carrying all the changes of the upload, with the hostname escaped', async () => {
    const machine = { ...fixtureMachine(40_001), hostname: '<!channel> @here [login](https://evil.example)' };
    const docs = fixtureHistory({ machine, runs: 32, step: { at: 30, factor: 1.3, match: () => true } });
    let changes = 0;
    for (const doc of docs) {
      const answer = await send(server.url, {
        method: 'POST',
        path: '/api/v1/runs',
        headers: bearer(ADMIN_TOKEN, true),
        body: JSON.stringify(doc),
      });
      expect(answer.status).toBe(201);
      changes += (answer.json() as { regressions: unknown[] }).regressions.length;
    }
    expect(changes).toBeGreaterThan(10);
    // Alerts are sent after the answer: give them time to arrive (and any extra ones to show up).
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    console.log(`webhook: ${changes} changes in one upload, ${received.length} POST(s)`);
    expect(received).toHaveLength(1);
    expect(received[0]!.counts.regressions).toBe(changes);
    expect(received[0]!.text).not.toMatch(/<!channel>|@here|\]\(/);
    expect(received[0]!.text).toContain('&lt;!channel&gt; ＠here');
  });
});

/**
 * Issue 14, case 5 (complete) as tried: `POST /jobs/:id/complete` accepted any
 * run of the machine holding the job; the run document's `jobId` was never
 * compared. A real server; the agent's calls made over HTTP as the agent makes them.
 */
describe('as tried: a job is completed only by the run made for it', () => {
  const { dir, remove: cleanup } = tempDir('gilbench-complete-');
  let server: ServerProcess;

  beforeAll(async () => {
    server = await startGilbench(join(dir, 'complete.db'));
  });

  afterAll(async () => {
    await killStarted();
    cleanup();
  });

  it('another run of the same machine is refused with 422 and the job stays running; its own run completes it', async () => {
    const { token: enroll } = await api(server.url, 'POST', '/tokens', { role: 'enroll', name: 'complete' });
    const machine = fixtureMachine(50_001);
    const call = async (token: string, method: string, path: string, body?: unknown) => {
      const answer = await send(server.url, {
        method,
        path: `/api/v1${path}`,
        headers: bearer(token, body !== undefined),
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      expect(errorShapeProblem(answer)).toBeNull();
      // biome-ignore lint/suspicious/noExplicitAny: the test reads the fields it asked for
      return { status: answer.status, json: answer.json() as any };
    };
    const agent = (await call(enroll, 'POST', '/agents/enroll', { machine })).json.token as string;
    const { job } = await api(server.url, 'POST', '/jobs', { suites: ['selftest'], modes: ['gil'] });
    const other = await api(server.url, 'POST', '/jobs', { suites: ['selftest'], modes: ['gil'] });
    expect((await call(agent, 'POST', '/jobs/claim', { leaseSeconds: 600 })).json.job.id).toBe(job.id);
    const [unrelated, forAnother, answering] = fixtureHistory({ machine, runs: 3 });
    const runs = [
      { ...unrelated!, jobId: null },
      { ...forAnother!, jobId: String(other.job.id) },
      { ...answering!, jobId: String(job.id) },
    ];
    for (const run of runs) expect((await call(agent, 'POST', '/runs', run)).status).toBe(201);

    for (const run of runs.slice(0, 2)) {
      const refused = await call(agent, 'POST', `/jobs/${job.id}/complete`, { runId: run.id });
      expect(refused.status, String(run.jobId)).toBe(422);
      expect(refused.json.detail).toMatch(/was made for (no job|job \d+), not job \d+/);
      // Not by the admin either.
      expect((await call(ADMIN_TOKEN, 'POST', `/jobs/${job.id}/complete`, { runId: run.id })).status).toBe(422);
    }
    expect((await api(server.url, 'GET', `/jobs/${job.id}`)).job).toMatchObject({
      status: 'running',
      runId: null,
    });
    const done = await call(agent, 'POST', `/jobs/${job.id}/complete`, { runId: runs[2]!.id });
    expect(done.status).toBe(200);
    expect(done.json.job).toMatchObject({ status: 'completed', runId: runs[2]!.id });
  });
});

/**
 * Issue 14, case 5 (proxies) as tried: rate limits were keyed by the socket's
 * address, so behind a reverse proxy every client shared one bucket, and there
 * was no way to say which proxy to believe. A real server with `--trust-proxy`:
 * one loopback address plays the proxy, another a client that forges the header.
 */
describe('as tried: rate limits key on X-Forwarded-For only from a trusted proxy', () => {
  const { dir, remove: cleanup } = tempDir('gilbench-proxy-');
  const proxy = loopback(9, 0);
  const direct = loopback(9, 1);
  let server: ServerProcess;

  beforeAll(async () => {
    server = await startGilbench(join(dir, 'proxy.db'), { args: ['--trust-proxy', `${proxy},10.0.0.0/8`] });
  });

  afterAll(async () => {
    await killStarted();
    cleanup();
  });

  /** `n` requests with a wrong token; the statuses. */
  async function failures(n: number, from: string, forwardedFor: (i: number) => string): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 0; i < n; i++) {
      const answer = await send(server.url, {
        method: 'GET',
        path: '/api/v1/runs',
        headers: { ...bearer(`gb_wrong-${i}-${'p'.repeat(40)}`), 'x-forwarded-for': forwardedFor(i) },
        localAddress: from,
      });
      expect(errorShapeProblem(answer)).toBeNull();
      statuses.push(answer.status);
    }
    return statuses;
  }

  it("behind the trusted proxy each client has its own bucket; another peer's X-Forwarded-For is ignored", async () => {
    // The bucket holds 30 failures, then refills by one every 2 s: of the next 5, most are refused.
    const lockedOut = (statuses: number[]) => statuses.filter((s) => s === 429).length >= 3;
    // Through the proxy: client A uses up its failures; client B is not held back by A.
    const a = await failures(35, proxy, () => '203.0.113.1');
    expect(a.slice(0, 30)).toEqual(Array(30).fill(401));
    expect(lockedOut(a.slice(30)), String(a)).toBe(true);
    expect(await failures(1, proxy, () => '203.0.113.2')).toEqual([401]);
    // A client that claims, in a hop left of the one the proxy wrote, to be someone else is still A.
    const claims = await failures(5, proxy, () => '198.51.100.77, 203.0.113.1');
    expect(lockedOut(claims), String(claims)).toBe(true);
    // Straight from a peer that is no trusted proxy: a new forged address each time changes nothing.
    const forged = await failures(35, direct, (i) => `203.0.113.${100 + i}`);
    expect(forged.slice(0, 30)).toEqual(Array(30).fill(401));
    expect(lockedOut(forged.slice(30)), String(forged)).toBe(true);
    // And the proxy's own address is not locked out by what came through it for others.
    expect(await failures(1, proxy, () => '203.0.113.3')).toEqual([401]);
  });

  it('a --trust-proxy entry that is not an address or CIDR block is a usage error', async () => {
    const bad = await runCli(['server', '--port', '0', '--db', join(dir, 'bad.db'), '--trust-proxy', 'proxy.lan']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--trust-proxy: trusted proxy 'proxy.lan' is not an IP address or CIDR block/);
  });
});

/**
 * Issue 14, case 5 (names) as tried: hostnames and labels took zero-width and
 * bidi characters, so one machine or label could pass for another. A real
 * server: every way a hostname or label comes in is refused with 422, and
 * nothing is stored.
 */
describe('as tried: hostnames and labels with invisible or bidi characters are refused', () => {
  const { dir, remove: cleanup } = tempDir('gilbench-names-');
  let server: ServerProcess;

  beforeAll(async () => {
    server = await startGilbench(join(dir, 'names.db'));
  });

  afterAll(async () => {
    await killStarted();
    cleanup();
  });

  it('422 naming the field for enrollment, heartbeat, upload, machine, job and schedule labels and claims', async () => {
    const { token: enroll } = await api(server.url, 'POST', '/tokens', { role: 'enroll', name: 'names', uses: null });
    const good = fixtureMachine(60_001);
    const call = async (token: string, method: string, path: string, body: unknown) => {
      const answer = await send(server.url, {
        method,
        path: `/api/v1${path}`,
        headers: bearer(token, true),
        body: JSON.stringify(body),
      });
      expect(errorShapeProblem(answer)).toBeNull();
      return { status: answer.status, json: answer.json() as { token: string; detail: string } };
    };
    const agent = (await call(enroll, 'POST', '/agents/enroll', { machine: good })).json.token;
    const { id: machineId } = (await api(server.url, 'GET', '/machines')).machines[0];
    const before = {
      machines: await api(server.url, 'GET', '/machines'),
      jobs: await api(server.url, 'GET', '/jobs'),
      schedules: await api(server.url, 'GET', '/schedules'),
    };
    // Right-to-left override, zero-width space, zero-width joiner, a bidi isolate, a control character.
    const spoofs = ['bench\u202E1-tseb', 'bench\u200B1', 'gpu\u200D', 'x\u2066y', 'a\u0007b'];
    for (const bad of spoofs) {
      const shown = JSON.stringify(bad);
      const cases: Array<[string, string, string, unknown, RegExp]> = [
        [
          enroll,
          'POST',
          '/agents/enroll',
          { machine: { ...fixtureMachine(60_002), hostname: bad } },
          /machine\.hostname/,
        ],
        [
          enroll,
          'POST',
          '/agents/enroll',
          { machine: { ...fixtureMachine(60_003), labels: [bad] } },
          /machine\.labels\[0\]/,
        ],
        [
          agent,
          'POST',
          '/agents/heartbeat',
          { status: 'idle', machine: { ...good, hostname: bad } },
          /machine\.hostname/,
        ],
        [
          agent,
          'POST',
          '/runs',
          { ...fixtureRun({ machine: good, seed: 1, startedAt: new Date() }), machine: { ...good, hostname: bad } },
          /hostname/,
        ],
        [agent, 'POST', '/jobs/claim', { labels: [bad] }, /body\.labels\[0\]/],
        [ADMIN_TOKEN, 'PATCH', `/machines/${machineId}`, { labels: ['ok', bad] }, /body\.labels\[1\]/],
        [ADMIN_TOKEN, 'POST', '/jobs', { suites: ['selftest'], modes: ['gil'], labels: [bad] }, /body\.labels\[0\]/],
        [
          ADMIN_TOKEN,
          'POST',
          '/schedules',
          { name: 'n', cron: '0 3 * * *', suites: ['selftest'], modes: ['gil'], labels: [bad] },
          /body\.labels\[0\]/,
        ],
      ];
      for (const [token, method, path, body, field] of cases) {
        const answer = await call(token, method, path, body);
        expect(answer.status, `${method} ${path} ${shown}`).toBe(422);
        expect(answer.json.detail).toMatch(field);
        expect(answer.json.detail).toMatch(/U\+[0-9A-F]{4} \(an invisible or bidi control character\) is not allowed/);
      }
    }
    expect(await api(server.url, 'GET', '/machines')).toEqual(before.machines);
    expect(await api(server.url, 'GET', '/jobs')).toEqual(before.jobs);
    expect(await api(server.url, 'GET', '/schedules')).toEqual(before.schedules);
    expect((await api(server.url, 'GET', '/runs')).runs).toEqual([]);
  });
});

/**
 * Issue 14, case 1 as tried: `GET /machines` under `--public` gives anyone a machine's
 * fingerprint; an enrollment with it, a new hostname and an extra label gave the caller that
 * machine's identity, the real agent's next heartbeat got 401, and the caller claimed a job
 * pinned to the machine. A real `--public` server; the calls made over HTTP as agents make them.
 */
describe('as tried: an enrollment token cannot take over an enrolled machine', () => {
  const { dir, remove: cleanup } = tempDir('gilbench-takeover-');
  let server: ServerProcess;

  beforeAll(async () => {
    server = await startGilbench(join(dir, 'takeover.db'), { args: ['--public'] });
  });

  afterAll(async () => {
    await killStarted();
    cleanup();
  });

  const call = async (token: string | null, method: string, path: string, body?: unknown) => {
    const answer = await send(server.url, {
      method,
      path: `/api/v1${path}`,
      headers: token
        ? bearer(token, body !== undefined)
        : body !== undefined
          ? { 'content-type': 'application/json' }
          : {},
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(errorShapeProblem(answer)).toBeNull();
    // biome-ignore lint/suspicious/noExplicitAny: the test reads the fields it asked for
    return { status: answer.status, json: answer.json() as any };
  };

  it('the anonymous reader who enrolls with the fingerprint gets a pending request: no identity, no job, no lock-out', async () => {
    // The real agent's machine, enrolled with its own one-use token.
    const mine = await api(server.url, 'POST', '/tokens', { role: 'enroll', name: 'machine 1' });
    const facts = fixtureMachine(70_001, ['nightly']);
    const real = await call(mine.token, 'POST', '/agents/enroll', { machine: facts });
    expect(real.status).toBe(201);
    const machineId = real.json.machineId as number;
    const pinned = (await api(server.url, 'POST', '/jobs', { suites: ['selftest'], modes: ['gil'], machineId })).job;

    // The stranger: the fingerprint from an anonymous read, an enrollment token left on another machine.
    const listed = await call(null, 'GET', '/machines');
    expect(listed.status).toBe(200);
    const fingerprint = listed.json.machines.find((m: { id: number }) => m.id === machineId).fingerprint;
    const { token: leftBehind } = await api(server.url, 'POST', '/tokens', { role: 'enroll', name: 'on agent 2' });
    const taken = await call(leftBehind, 'POST', '/agents/enroll', {
      machine: { ...facts, fingerprint, hostname: 'taker', labels: ['nightly', 'gpu'] },
    });
    // Before the fix: 201 with machine 1's identity.
    expect(taken.status).toBe(202);
    expect(taken.json.request).toMatchObject({ status: 'pending', machineId });
    expect(taken.json.machine).toMatchObject({ id: machineId, hostname: facts.hostname });
    expect(taken.json.machine.labels).not.toContain('gpu');

    // The real agent goes on (before: 401); the stranger's token is no token yet.
    expect((await call(real.json.token, 'POST', '/agents/heartbeat', { status: 'idle' })).status).toBe(200);
    expect((await call(taken.json.token, 'POST', '/agents/heartbeat', { status: 'idle' })).status).toBe(401);
    expect((await call(taken.json.token, 'POST', '/jobs/claim', { leaseSeconds: 7 * 86_400 })).status).toBe(401);
    const claimed = await call(real.json.token, 'POST', '/jobs/claim', {});
    expect(claimed.json.job).toMatchObject({ id: pinned.id, claimedBy: machineId });
    // The token left behind was spent on the request: it enrolls nothing more.
    expect((await call(leftBehind, 'POST', '/agents/enroll', { machine: fixtureMachine(70_002) })).status).toBe(401);

    // The admin sees the request, and rejects it: nothing changes.
    const pending = (await api(server.url, 'GET', '/enrollments?status=pending')).requests;
    expect(pending).toMatchObject([{ machineId, facts: { hostname: 'taker' } }]);
    expect((await call(null, 'GET', '/enrollments')).status).toBe(401);
    await api(server.url, 'POST', `/enrollments/${pending[0].id}/reject`);
    expect((await call(taken.json.token, 'POST', '/agents/heartbeat', { status: 'idle' })).status).toBe(401);
    expect((await call(real.json.token, 'POST', '/agents/heartbeat', { status: 'idle' })).status).toBe(200);
    expect((await api(server.url, 'GET', `/machines/${machineId}`)).machine.hostname).toBe(facts.hostname);
  });

  it('a real agent that lost its state waits for an admin, then goes on as the machine; the old token stops', async () => {
    const { token: first } = await api(server.url, 'POST', '/tokens', { role: 'enroll', name: 'first' });
    const { token: again } = await api(server.url, 'POST', '/tokens', { role: 'enroll', name: 'reinstalled' });
    const agent = (token: string, spool: string) => {
      const cli = startCli([
        'agent',
        '--once',
        '--server',
        server.url,
        '--token',
        token,
        '--spool',
        spool,
        '--poll',
        '1',
      ]);
      track(cli.child);
      return cli;
    };
    const one = agent(first, join(dir, 'spool-1'));
    expect(await one.exited, one.stderr()).toBe(0);
    const state1 = JSON.parse(readFileSync(join(dir, 'spool-1', '.agent-state.json'), 'utf8')) as { token: string };
    // The same machine with its state gone: the enrollment only asks.
    const two = agent(again, join(dir, 'spool-2'));
    const deadline = Date.now() + 60_000;
    let request: { id: number } | undefined;
    while (!request && Date.now() < deadline) {
      request = (await api(server.url, 'GET', '/enrollments?status=pending')).requests[0];
      if (!request) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(request, two.stderr()).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(two.stderr()).toMatch(/waits for an admin \(gilbench server enrollment approve \d+\)/);
    expect((await call(state1.token, 'POST', '/agents/heartbeat', { status: 'idle' })).status).toBe(200);
    await api(server.url, 'POST', `/enrollments/${request!.id}/approve`);
    expect(await two.exited, two.stderr()).toBe(0);
    expect(two.stderr()).toMatch(/approved: enrolled as machine/);
    expect((await call(state1.token, 'POST', '/agents/heartbeat', { status: 'idle' })).status).toBe(401);
  }, 120_000);
});

/**
 * Issue 14, case 3 as tried: a claim merged whatever labels the agent sent, heartbeats added
 * labels for good, and any agent could ask for a 7-day lease, so one agent could claim every
 * job and starve the queue. A real server; the agent's calls over HTTP.
 */
describe('as tried: labels an agent declares route nothing; leases are capped', () => {
  const { dir, remove: cleanup } = tempDir('gilbench-labels-');
  let server: ServerProcess;

  beforeAll(async () => {
    server = await startGilbench(join(dir, 'labels.db'), { args: ['--max-lease', '2h'] });
  });

  afterAll(async () => {
    await killStarted();
    cleanup();
  });

  it('a job for gpu is not claimed by an agent that only says gpu; the granted machine gets it; a 7-day lease is 2 h', async () => {
    const post = async (token: string, path: string, body: unknown) => {
      const answer = await send(server.url, {
        method: 'POST',
        path: `/api/v1${path}`,
        headers: bearer(token, true),
        body: JSON.stringify(body),
      });
      expect(errorShapeProblem(answer)).toBeNull();
      // biome-ignore lint/suspicious/noExplicitAny: the test reads the fields it asked for
      return { status: answer.status, json: answer.json() as any };
    };
    const { token: plain } = await api(server.url, 'POST', '/tokens', { role: 'enroll', name: 'plain' });
    const { token: gpuToken } = await api(server.url, 'POST', '/tokens', { role: 'enroll', labels: ['gpu'] });
    const liar = await post(plain, '/agents/enroll', { machine: fixtureMachine(80_001, ['gpu']) });
    const gpu = await post(gpuToken, '/agents/enroll', { machine: fixtureMachine(80_002, []) });
    expect(liar.json.machine).toMatchObject({ labels: [], declaredLabels: ['gpu'] });
    expect(gpu.json.machine).toMatchObject({ labels: ['gpu'], declaredLabels: [] });
    const { job } = await api(server.url, 'POST', '/jobs', { suites: ['selftest'], modes: ['gil'], labels: ['gpu'] });
    await post(liar.json.token, '/agents/heartbeat', { status: 'idle', machine: fixtureMachine(80_001, ['gpu']) });
    // Before the fix: the liar's claim, naming gpu, took the job for 7 days.
    const tried = await post(liar.json.token, '/jobs/claim', { labels: ['gpu'], leaseSeconds: 7 * 86_400 });
    expect(tried).toMatchObject({ status: 200, json: { job: null } });
    const claimed = await post(gpu.json.token, '/jobs/claim', { leaseSeconds: 7 * 86_400 });
    expect(claimed.json.job).toMatchObject({ id: job.id, leaseSeconds: 7200 });
    expect(claimed.json.job.leaseExpiresAt - claimed.json.job.claimedAt).toBe(7200 * 1000);
    // An admin may grant what the liar declared; then its claims match it.
    const granted = await api(server.url, 'PATCH', `/machines/${liar.json.machineId}`, { accept: ['gpu'] });
    expect(granted.machine.labels).toEqual(['gpu']);
  });
});

/**
 * Issue 14, case 5 (case keys) as tried: `{a: "1,b=2"}` and `{a: 1, b: 2}` gave one case key, and
 * so did `true` and `"true"`, so a run holding both was refused as "a second result for the same
 * case" (or, across runs, the two cases shared one series). A real server; one upload.
 */
describe('as tried: parameters that only look alike are two cases', () => {
  const { dir, remove: cleanup } = tempDir('gilbench-case-keys-');
  let server: ServerProcess;

  beforeAll(async () => {
    server = await startGilbench(join(dir, 'keys.db'));
  });

  afterAll(async () => {
    await killStarted();
    cleanup();
  });

  it('one run with both pairs is stored with four series and four distinct keys', async () => {
    const machine = fixtureMachine(90_001);
    const base = fixtureRun({ machine, seed: 5, startedAt: new Date('2025-06-01T00:00:00Z') });
    const mode = base.results[0]!.mode;
    const alike = [{ a: '1,b=2' }, { a: 1, b: 2 }, { flag: true }, { flag: 'true' }];
    const results = base.results
      .filter((r) => r.mode === mode)
      .slice(0, alike.length)
      .map((r, i) => ({ ...r, suite: 'keys', benchmark: 'alike', params: alike[i]! }));
    const answer = await send(server.url, {
      method: 'POST',
      path: '/api/v1/runs',
      headers: bearer(ADMIN_TOKEN, true),
      body: JSON.stringify({ ...base, results }),
    });
    // Before the fix: 400, "a second result for the same case and mode".
    expect(answer.status, answer.body.toString()).toBe(201);
    const { series } = await api(server.url, 'GET', '/series?suite=keys');
    expect(series.map((s: { caseKey: string }) => s.caseKey).sort()).toEqual([
      'a="1,b=2"',
      'a=1,b=2',
      'flag="true"',
      'flag=true',
    ]);
  });
});
