import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Regression } from './store/core/types.ts';
import { createWebhook } from './webhook.ts';

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

let server: Server | null = null;
afterEach(() => {
  server?.close();
  server = null;
});

/** A real receiver on 127.0.0.1 answering with the given statuses in turn. */
async function receiver(statuses: number[]): Promise<{ url: string; bodies: unknown[] }> {
  const bodies: unknown[] = [];
  server = createServer((req: IncomingMessage, res) => {
    let text = '';
    req.on('data', (b: Buffer) => {
      text += b.toString();
    });
    req.on('end', () => {
      bodies.push(JSON.parse(text));
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies };
}

describe('createWebhook', () => {
  it('POSTs the change as JSON and retries with backoff until the receiver takes it', async () => {
    const { url, bodies } = await receiver([503, 500, 200]);
    const hook = createWebhook(url, { minTimeoutMs: 20, maxTimeoutMs: 50, publicUrl: 'https://bench.example/' });
    hook.send(regression);
    await hook.idle();
    expect(bodies).toHaveLength(3);
    expect(bodies[2]).toMatchObject({
      event: 'regression.detected',
      regression: { id: 7 },
      url: 'https://bench.example/api/v1/series/3/history',
    });
    expect((bodies[2] as { text: string }).text).toContain('+6.1%');
  });

  it('gives up on a refusal without retrying, and says so in the log', async () => {
    const { url, bodies } = await receiver([400, 200]);
    const lines: string[] = [];
    const hook = createWebhook(url, { minTimeoutMs: 20, log: (line) => lines.push(line) });
    hook.send(regression);
    await hook.idle();
    expect(bodies).toHaveLength(1);
    expect(lines.join('\n')).toMatch(/not delivered: the webhook refused the alert: HTTP 400/);
  });

  it('refuses a URL that is not http(s) when it is made', () => {
    expect(() => createWebhook('ftp://example.com/x')).toThrow(/http or https/);
    expect(() => createWebhook('not a url')).toThrow();
  });
});
