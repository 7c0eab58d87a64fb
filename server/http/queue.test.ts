import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { boundedQueue } from './queue.ts';

/** An app whose POST /slow waits until released, through a queue of 1 + 1; GET /fast is outside it. */
function app(opts = { concurrency: 1, maxQueue: 1 }) {
  const queue = boundedQueue(opts);
  const gates: Array<() => void> = [];
  const entered: number[] = [];
  const a = new Hono();
  a.post('/slow/:n', queue.middleware, async (c) => {
    entered.push(Number(c.req.param('n')));
    await new Promise<void>((resolve) => gates.push(resolve));
    return c.json({ n: Number(c.req.param('n')) }, 201);
  });
  a.get('/fast', (c) => c.json({ ok: true }));
  return { a, queue, gates, entered };
}

const settle = () => new Promise((r) => setTimeout(r, 10));

describe('boundedQueue', () => {
  it('lets `concurrency` in, keeps `maxQueue` waiting in order, refuses the next with 503 + Retry-After', async () => {
    const { a, queue, gates, entered } = app();
    const first = a.request('/slow/1', { method: 'POST' });
    const second = a.request('/slow/2', { method: 'POST' });
    await settle();
    const third = await a.request('/slow/3', { method: 'POST' });
    expect(third.status).toBe(503);
    expect(third.headers.get('retry-after')).toBe('2');
    expect(await third.json()).toMatchObject({ error: 'unavailable' });
    // Reads are not queued.
    expect((await a.request('/fast')).status).toBe(200);
    expect(entered).toEqual([1]);
    expect(queue.load()).toEqual({ active: 1, waiting: 1, refused: 1 });
    gates.shift()!();
    expect((await first).status).toBe(201);
    await settle();
    expect(entered).toEqual([1, 2]);
    gates.shift()!();
    expect((await second).status).toBe(201);
    expect(queue.load()).toEqual({ active: 0, waiting: 0, refused: 1 });
  });

  it('frees its turn when the handler throws', async () => {
    const queue = boundedQueue({ concurrency: 1, maxQueue: 0 });
    const a = new Hono();
    a.post('/boom', queue.middleware, () => {
      throw new Error('boom');
    });
    a.onError((_err, c) => c.json({ error: 'internal' }, 500));
    expect((await a.request('/boom', { method: 'POST' })).status).toBe(500);
    expect(queue.load().active).toBe(0);
    expect((await a.request('/boom', { method: 'POST' })).status).toBe(500);
  });

  it('checks its options when made', () => {
    expect(() => boundedQueue({ concurrency: 0 })).toThrow(/concurrency/);
    expect(() => boundedQueue({ maxQueue: -1 })).toThrow(/maxQueue/);
    expect(() => boundedQueue({ retryAfterSeconds: 0.5 })).toThrow(/retryAfterSeconds/);
  });
});
