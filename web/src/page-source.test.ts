/**
 * The live source against a real HTTP server on 127.0.0.1 (Node's fetch is the browser's API): a busy
 * server's 503 is asked again after its Retry-After, other errors are not.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { apiSource } from './page-source.ts';
import { ApiError, READ_RETRY } from './source.ts';

let server: Server | null = null;

/** A server answering each GET with the next of `answers` (the last one repeats); returns its URL and the hits. */
async function serve(answers: Array<{ status: number; retryAfter?: string }>) {
  const hits: number[] = [];
  server = createServer((req, res) => {
    hits.push(Date.now());
    const a = answers[Math.min(hits.length - 1, answers.length - 1)]!;
    res.writeHead(a.status, {
      'content-type': 'application/json',
      ...(a.retryAfter ? { 'retry-after': a.retryAfter } : {}),
    });
    res.end(JSON.stringify(a.status === 200 ? { ok: req.url } : { error: `answer ${a.status}` }));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, hits };
}

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  server = null;
});

describe('apiSource reads', () => {
  it('a 503 with Retry-After is asked again no sooner than it says, and the answer comes through', async () => {
    const { url, hits } = await serve([{ status: 503, retryAfter: '1' }, { status: 200 }]);
    await expect(apiSource(url).get('/api/v1/runs/r1/compare', { base: 'a' })).resolves.toEqual({
      ok: '/api/v1/runs/r1/compare?base=a',
    });
    expect(hits.length).toBe(2);
    expect(hits[1]! - hits[0]!).toBeGreaterThanOrEqual(950);
  });

  it('a server busy every time: the page gets the 503 after the policy’s retries', async () => {
    const { url, hits } = await serve([{ status: 503, retryAfter: '0' }]);
    const error = await apiSource(url)
      .get('/api/v1/machines')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(503);
    expect(hits.length).toBe(READ_RETRY.retries + 1);
  }, 30_000);

  it('other errors are not retried: a 404 is said at once', async () => {
    const { url, hits } = await serve([{ status: 404 }]);
    await expect(apiSource(url).get('/api/v1/runs/none')).rejects.toMatchObject({ status: 404, message: 'answer 404' });
    expect(hits.length).toBe(1);
  });
});
