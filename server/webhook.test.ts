import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Regression } from './store/core/types.ts';
import { alertBody, createWebhook, escapeChatText } from './webhook.ts';

const regression = {
  id: 7,
  seriesId: 3,
  hostname: 'bench-1',
  suite: 'calls',
  benchmark: 'positional',
  caseKey: 'arity=2',
  modeId: 'cpython-3.13.5t/nogil',
  kind: 'regression',
  change: 0.061,
  changeCiLow: 0.04,
  changeCiHigh: 0.082,
  runId: '6f1f3c1e-3b5c-4c4e-9a55-4d0c9a8b7e21',
} as Regression;

/** `n` changes of one upload, ids from 1. */
const changes = (n: number, over: Partial<Regression> = {}) =>
  Array.from({ length: n }, (_, i) => ({ ...regression, id: i + 1, seriesId: i + 1, ...over }) as Regression);

let server: Server | null = null;
afterEach(() => {
  server?.close();
  server = null;
});

interface Received {
  at: number;
  body: ReturnType<typeof alertBody> & { text: string };
}

/** A real receiver on 127.0.0.1 answering with the given statuses in turn (then 200). */
async function receiver(
  statuses: number[] = [],
): Promise<{ url: string; bodies: Received['body'][]; got: Received[] }> {
  const got: Received[] = [];
  server = createServer((req: IncomingMessage, res) => {
    let text = '';
    req.on('data', (b: Buffer) => {
      text += b.toString();
    });
    req.on('end', () => {
      got.push({ at: Date.now(), body: JSON.parse(text) });
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    get bodies() {
      return got.map((g) => g.body);
    },
    got,
  };
}

async function until(check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('createWebhook', () => {
  it('POSTs the changes of one upload as one JSON alert and retries with backoff until the receiver takes it', async () => {
    const r = await receiver([503, 500, 200]);
    const hook = createWebhook(r.url, { minTimeoutMs: 20, maxTimeoutMs: 50, publicUrl: 'https://bench.example/' });
    hook.send([regression, { ...regression, id: 8, seriesId: 4, kind: 'improvement', change: -0.1 }]);
    await hook.idle();
    expect(r.bodies).toHaveLength(3);
    const body = r.bodies[2]!;
    expect(body).toMatchObject({
      event: 'changes.detected',
      counts: { regressions: 1, improvements: 1 },
      omitted: 0,
      dropped: null,
    });
    expect(body.changes.map((c) => c.id)).toEqual([7, 8]);
    expect(body.changes[0]).toMatchObject({ url: 'https://bench.example/api/v1/series/3/history' });
    expect(body.text).toContain('+6.1%');
    expect(body.text).toContain('-10.0%');
    expect(body.text.split('\n')[0]).toBe('gilbench: 1 regression and 1 improvement on bench-1');
  });

  it('says when a change came with a change of runtime, so it does not read as the code’s', () => {
    const atRelease = {
      ...regression,
      modeId: 'cpython-3.13.15t/nogil',
      runtimeChange: { from: 'cpython-3.13.5t/nogil', to: 'cpython-3.13.15t/nogil' },
    } as Regression;
    const body = alertBody([atRelease, { ...regression, id: 8, runtimeChange: null }], {});
    const [first, second] = body.text.split('\n').slice(1);
    expect(first).toMatch(/cpython-3\.13\.15t\/nogil \+6\.1% .*, at a runtime 3\.13\.5t → 3\.13\.15t$/);
    expect(second).not.toContain('runtime');
    expect(body.changes[0]).toMatchObject({ runtimeChange: atRelease.runtimeChange });
  });

  it('sends nothing for an upload without changes', async () => {
    const r = await receiver();
    const hook = createWebhook(r.url);
    hook.send([]);
    await hook.idle();
    expect(r.bodies).toHaveLength(0);
  });

  it('one upload of 2,000 changes is one POST listing the first 50 and counting the rest', async () => {
    const r = await receiver();
    const hook = createWebhook(r.url);
    hook.send(changes(2000));
    await hook.idle();
    expect(r.bodies).toHaveLength(1);
    expect(r.bodies[0]!.changes).toHaveLength(50);
    expect(r.bodies[0]!.omitted).toBe(1950);
    expect(r.bodies[0]!.counts.regressions).toBe(2000);
    expect(r.bodies[0]!.text).toContain('and 1980 more');
    expect(r.bodies[0]!.text.split('\n').length).toBeLessThan(25);
  });

  it('at most maxAlerts POSTs per window; what is over is counted and summed up once the window allows', async () => {
    const r = await receiver();
    const lines: string[] = [];
    const hook = createWebhook(r.url, { maxAlerts: 3, windowMs: 400, log: (l) => lines.push(l) });
    const started = Date.now();
    for (let i = 0; i < 30; i++) hook.send(changes(2));
    await hook.idle();
    expect(r.bodies).toHaveLength(3);
    // The summary goes out when the window has room again, on its own.
    await until(() => r.bodies.length === 4, 5000);
    const summary = r.got[3]!;
    expect(summary.at - started).toBeGreaterThanOrEqual(350);
    expect(summary.body).toMatchObject({ event: 'alerts.dropped', changes: [], dropped: { alerts: 27, changes: 54 } });
    expect(summary.body.text).toMatch(/27 alerts \(54 changes\) not sent since/);
    expect(lines.filter((l) => /more than 3 webhook alerts/.test(l))).toHaveLength(1);
    // Then the next alert is sent, with nothing dropped to report.
    await until(() => Date.now() - summary.at > 450, 2000);
    hook.send(changes(1));
    await hook.idle();
    expect(r.bodies).toHaveLength(5);
    expect(r.bodies[4]!.dropped).toBeNull();
    hook.close();
  });

  it('escapes chat markup in hostnames and names: no channel pings, mentions or links reach the text', async () => {
    const r = await receiver();
    const hook = createWebhook(r.url);
    const hostile = '<!channel> @here <https://evil.example|click> [login](https://evil.example) & `x`';
    hook.send([
      { ...regression, hostname: hostile, benchmark: '<@U024BE7LH>', caseKey: 'a=@all\n[x]: https://e.example' },
    ]);
    await hook.idle();
    const text = r.bodies[0]!.text;
    expect(text).not.toMatch(/<!|<@|<https?:|@here|@all|\]\(|\n\[x\]/);
    expect(text).toContain(
      '&lt;!channel&gt; ＠here &lt;https://evil.example|click&gt; \\[login\\]\\(https://evil.example\\) &amp; \\`x\\`',
    );
    // The structured fields keep what was stored, for receivers that render them themselves.
    expect(r.bodies[0]!.changes[0]!.hostname).toBe(hostile);
  });

  it('gives up on a refusal without retrying, and says so in the log', async () => {
    const r = await receiver([400, 200]);
    const lines: string[] = [];
    const hook = createWebhook(r.url, { minTimeoutMs: 20, log: (line) => lines.push(line) });
    hook.send([regression]);
    await hook.idle();
    expect(r.bodies).toHaveLength(1);
    expect(lines.join('\n')).toMatch(/not delivered: the webhook refused the alert: HTTP 400/);
  });

  it('refuses a URL that is not http(s), and limits that are not whole numbers ≥ 1, when it is made', () => {
    expect(() => createWebhook('ftp://example.com/x')).toThrow(/http or https/);
    expect(() => createWebhook('not a url')).toThrow();
    expect(() => createWebhook('http://127.0.0.1:1/x', { maxAlerts: 0 })).toThrow(/maxAlerts/);
  });
});

describe('escapeChatText', () => {
  it('leaves ordinary names alone', () => {
    expect(escapeChatText('bench-1.lab/calls_4args cpython-3.13.5t/nogil threads=4')).toBe(
      'bench-1.lab/calls_4args cpython-3.13.5t/nogil threads=4',
    );
  });
  it('turns control characters and line breaks into spaces', () => {
    expect(escapeChatText('a\nb\u0000c\u2028d')).toBe('a b c d');
  });
});
