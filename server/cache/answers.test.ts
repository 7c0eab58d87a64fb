import { describe, expect, it } from 'vitest';
import { createAnswerCache } from './answers.ts';

describe('createAnswerCache()', () => {
  it('computes an answer once, also for requests that arrive while it is computed', async () => {
    const cache = createAnswerCache();
    let calls = 0;
    const compute = async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 10));
      return '{"a":1}';
    };
    const [a, b] = await Promise.all([cache.get('k', ['r1'], compute), cache.get('k', ['r1'], compute)]);
    const c = await cache.get('k', ['r1'], compute);
    expect(calls).toBe(1);
    expect(a).toEqual(b);
    expect(c.etag).toBe(a.etag);
    expect(a.etag).toMatch(/^"[\w-]{32}"$/);
  });

  it('gives different texts different ETags', async () => {
    const cache = createAnswerCache();
    const a = await cache.get('a', [], async () => 'one');
    const b = await cache.get('b', [], async () => 'two');
    expect(a.etag).not.toBe(b.etag);
  });

  it('keeps no more than maxBytes, dropping the least recently used', async () => {
    const cache = createAnswerCache({ maxBytes: 10 });
    await cache.get('a', [], async () => '1234');
    await cache.get('b', [], async () => '5678');
    await cache.get('a', [], async () => 'xxxx'); // a is used again: b is now the oldest
    await cache.get('c', [], async () => '9012');
    expect(cache.size()).toEqual({ entries: 2, bytes: 8 });
    expect((await cache.get('a', [], async () => 'new!')).text).toBe('1234');
    expect((await cache.get('b', [], async () => 'new!')).text).toBe('new!');
  });

  it('does not keep a failed computation', async () => {
    const cache = createAnswerCache();
    await expect(cache.get('k', [], () => Promise.reject(new Error('busy')))).rejects.toThrow('busy');
    expect((await cache.get('k', [], async () => 'ok')).text).toBe('ok');
  });

  it('forgets the answers about a deleted run, also one computed while it was deleted', async () => {
    const cache = createAnswerCache();
    await cache.get('x', ['r1', 'r2'], async () => 'x');
    await cache.get('y', ['r3'], async () => 'y');
    let release = () => {};
    const late = cache.get('z', ['r1'], () => new Promise<string>((r) => (release = () => r('z'))));
    cache.forgetRun('r1');
    release();
    await late;
    expect(cache.size().entries).toBe(1);
    expect((await cache.get('x', ['r1'], async () => 'again')).text).toBe('again');
  });

  it('refuses a size that is not a positive whole number', () => {
    expect(() => createAnswerCache({ maxBytes: 0 })).toThrow(RangeError);
  });
});
