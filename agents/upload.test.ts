/**
 * The drain's decisions (retry, give up, set aside, complete the job) against
 * a small HTTP endpoint in this process whose answers the test chooses: 5xx
 * storms and dropped connections are hard to get out of the real server on
 * cue. The end-to-end behaviour against `gilbench server` is in e2e.test.ts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleRun, tempDir } from '../harness/test-support/index.ts';
import { ServerClient } from './client.ts';
import { openSpool, type Spool } from './spool.ts';
import { drainSpool, type RetryPolicy } from './upload.ts';

const FAST: RetryPolicy = { retries: 3, minTimeoutMs: 10, maxTimeoutMs: 20 };

interface Call {
  method: string;
  url: string;
  body: unknown;
}

type Responder = (call: Call, res: ServerResponse, req: IncomingMessage) => void;

let server: Server;
let calls: Call[];
let respond: Responder;
let baseUrl: string;
let spool: Spool;
let removeDir: () => void;
let warnings: string[];

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

beforeEach(async () => {
  calls = [];
  warnings = [];
  respond = (_call, res) => json(res, 200, { stored: true });
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => {
      text += chunk;
    });
    req.on('end', () => {
      const call = { method: req.method ?? '', url: req.url ?? '', body: text ? JSON.parse(text) : null };
      calls.push(call);
      respond(call, res, req);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const temp = tempDir('gilbench-upload-');
  removeDir = temp.remove;
  spool = openSpool(temp.dir, { onWarning: (w) => warnings.push(w) });
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  removeDir();
});

const uploads = () => calls.filter((c) => c.url === '/api/v1/runs');

describe('drainSpool', () => {
  it('uploads every run with the agent token and empties the spool', async () => {
    const a = sampleRun({ startedAt: '2026-01-01T00:00:00.000Z' });
    const b = sampleRun({ startedAt: '2026-01-02T00:00:00.000Z' });
    spool.put(b);
    spool.put(a);
    let authorization = '';
    respond = (_call, res, req) => {
      authorization = req.headers.authorization ?? '';
      json(res, 201, { id: 'x' });
    };
    const report = await drainSpool(spool, new ServerClient(baseUrl, 'gb_agent'), { retry: FAST });
    expect(report).toMatchObject({ uploaded: [a.id, b.id], remaining: 0, stoppedBy: null });
    expect(uploads().map((c) => (c.body as { id: string }).id)).toEqual([a.id, b.id]);
    expect(authorization).toBe('Bearer gb_agent');
    expect(spool.size()).toBe(0);
  });

  it('retries 5xx and dropped connections with backoff, then uploads once the server answers', async () => {
    const doc = sampleRun();
    spool.put(doc);
    let attempt = 0;
    respond = (_call, res) => {
      attempt++;
      if (attempt === 1) json(res, 503, { error: 'unavailable', detail: 'starting' });
      else if (attempt === 2) res.socket?.destroy();
      else json(res, 200, { stored: true });
    };
    const report = await drainSpool(spool, new ServerClient(baseUrl, 't'), { retry: FAST });
    expect(report.uploaded).toEqual([doc.id]);
    expect(uploads()).toHaveLength(3);
    expect(spool.size()).toBe(0);
  });

  it('honours a 503’s Retry-After: the next try comes no sooner than the server asked', async () => {
    const doc = sampleRun();
    spool.put(doc);
    const at: number[] = [];
    respond = (_call, res) => {
      at.push(performance.now());
      if (at.length === 1) {
        res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
        res.end(JSON.stringify({ error: 'unavailable', detail: 'the server is busy with 34 uploads' }));
      } else json(res, 201, { created: true });
    };
    // The policy alone would retry after 10-20 ms; the server asked for a second.
    const report = await drainSpool(spool, new ServerClient(baseUrl, 't'), { retry: { ...FAST, maxTimeoutMs: 5000 } });
    expect(report.uploaded).toEqual([doc.id]);
    expect(at).toHaveLength(2);
    // A lower bound only (a timer never fires early by more than a tick): no upper bound on a loaded machine.
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(990);
    expect(spool.size()).toBe(0);
  });

  it('keeps every run when the server stays down, and says why', async () => {
    spool.put(sampleRun());
    spool.put(sampleRun());
    respond = (_call, res) => json(res, 502, { error: 'bad gateway', detail: '' });
    const report = await drainSpool(spool, new ServerClient(baseUrl, 't'), { retry: FAST });
    expect(report.uploaded).toEqual([]);
    expect(report.remaining).toBe(2);
    expect(report.stoppedBy?.message).toContain('502');
    // It stops at the first run: the second would fail the same way.
    expect(uploads()).toHaveLength(FAST.retries + 1);
    expect(spool.size()).toBe(2);
  });

  it('keeps the runs when nothing listens at all', async () => {
    spool.put(sampleRun());
    const report = await drainSpool(spool, new ServerClient('http://127.0.0.1:9', 't'), { retry: FAST });
    expect(report.stoppedBy?.name).toBe('ServerUnreachable');
    expect(spool.size()).toBe(1);
  });

  it('sets a run the server refuses (400) aside and goes on with the others', async () => {
    const bad = sampleRun({ startedAt: '2026-01-01T00:00:00.000Z' });
    const good = sampleRun({ startedAt: '2026-01-02T00:00:00.000Z' });
    spool.put(bad);
    spool.put(good);
    respond = (call, res) => {
      if ((call.body as { id: string }).id === bad.id) json(res, 400, { error: 'invalid run', detail: 'results[0]' });
      else json(res, 200, {});
    };
    const report = await drainSpool(spool, new ServerClient(baseUrl, 't'), { retry: FAST });
    expect(report.rejected).toEqual([bad.id]);
    expect(report.uploaded).toEqual([good.id]);
    expect(uploads()).toHaveLength(2); // a 400 is not retried
    expect(warnings.join()).toContain('rejected');
  });

  it("sets aside a run the server says is another machine's (403), and goes on", async () => {
    const foreign = sampleRun({ startedAt: '2026-01-01T00:00:00.000Z' });
    const own = sampleRun({ startedAt: '2026-01-02T00:00:00.000Z' });
    spool.put(foreign);
    spool.put(own);
    respond = (call, res) => {
      if ((call.body as { id: string }).id === foreign.id) {
        json(res, 403, { error: 'forbidden', detail: "the run's machine fingerprint is not this agent's machine" });
      } else json(res, 201, {});
    };
    const report = await drainSpool(spool, new ServerClient(baseUrl, 't'), { retry: FAST });
    expect(report).toMatchObject({ rejected: [foreign.id], uploaded: [own.id], stoppedBy: null });
  });

  it('sends only the runs the filter accepts and leaves the others waiting', async () => {
    const a = sampleRun({ jobId: null, profile: 'quick' });
    const b = sampleRun({ profile: 'default' });
    spool.put(a);
    spool.put(b);
    const report = await drainSpool(spool, new ServerClient(baseUrl, 't'), {
      retry: FAST,
      accept: (doc) => doc.profile === 'quick',
    });
    expect(report.uploaded).toEqual([a.id]);
    expect(spool.list().map((e) => e.id)).toEqual([b.id]);
  });

  it('stops without retrying when the token is refused, and keeps the run', async () => {
    spool.put(sampleRun());
    respond = (_call, res) => json(res, 401, { error: 'unauthorized', detail: 'token revoked' });
    const report = await drainSpool(spool, new ServerClient(baseUrl, 't'), { retry: FAST });
    expect(report.stoppedBy?.message).toContain('401');
    expect(uploads()).toHaveLength(1);
    expect(spool.size()).toBe(1);
  });

  it("completes the run's job after the upload, and keeps the run until the job is completed", async () => {
    const doc = sampleRun({ jobId: '42' });
    spool.put(doc);
    let completeFails = true;
    respond = (call, res) => {
      if (call.url.endsWith('/complete') && completeFails) json(res, 503, { error: 'busy', detail: '' });
      else json(res, 200, {});
    };
    const first = await drainSpool(spool, new ServerClient(baseUrl, 't'), { retry: { ...FAST, retries: 0 } });
    expect(first.uploaded).toEqual([]);
    expect(spool.size()).toBe(1);
    completeFails = false;
    const second = await drainSpool(spool, new ServerClient(baseUrl, 't'), { retry: FAST });
    expect(second.uploaded).toEqual([doc.id]);
    const complete = calls.filter((c) => c.url === '/api/v1/jobs/42/complete');
    expect(complete.at(-1)?.body).toEqual({ runId: doc.id });
    // The second drain sent the run again; the server's ingest is idempotent by run id.
    expect(uploads()).toHaveLength(2);
    expect(spool.size()).toBe(0);
  });

  it('drops the run from the spool when its job is already finished elsewhere (409)', async () => {
    spool.put(sampleRun({ jobId: '9' }));
    respond = (call, res) => {
      if (call.url.endsWith('/complete')) json(res, 409, { error: 'conflict', detail: 'job 9 is completed' });
      else json(res, 200, {});
    };
    const logged: string[] = [];
    const report = await drainSpool(spool, new ServerClient(baseUrl, 't'), { retry: FAST, log: (m) => logged.push(m) });
    expect(report.uploaded).toHaveLength(1);
    expect(logged.join()).toContain('job 9 not completed');
    expect(spool.size()).toBe(0);
  });

  it('stops retrying when aborted', async () => {
    spool.put(sampleRun());
    respond = (_call, res) => json(res, 503, { error: 'down', detail: '' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const report = await drainSpool(spool, new ServerClient(baseUrl, 't'), {
      retry: { retries: 1000, minTimeoutMs: 10, maxTimeoutMs: 10 },
      signal: controller.signal,
    });
    expect(report.uploaded).toEqual([]);
    expect(uploads().length).toBeLessThan(1000);
    expect(spool.size()).toBe(1);
  });
});
