import { afterAll, describe, expect, it } from 'vitest';
import { fixtureMachine, fixtureRun } from '../../harness/test-support/index.ts';
import { createServices, type Services } from '../services/index.ts';
import { openStore } from '../store/open.ts';
import { createAnswerCache, etagOf } from './answers.ts';

const NOW = Date.parse('2025-06-02T12:00:00Z');
const opened: Services[] = [];
afterAll(async () => {
  for (const s of opened) await s.close();
});

/** A real (in-memory SQLite) store holding one run; its answers subject is what the cache keeps answers in. */
async function storeWithRun(seed: number) {
  const services = createServices(await openStore(':memory:'));
  opened.push(services);
  const doc = fixtureRun({ machine: fixtureMachine(seed), seed, startedAt: new Date(NOW) });
  await services.ingestRun(doc, { uploadedBy: null, now: NOW });
  return { store: services.store, id: doc.id };
}

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
    expect(() => createAnswerCache({ maxStoredBytes: 1.5 })).toThrow(/maxStoredBytes/);
    expect(() => createAnswerCache({ maxWrites: -1 })).toThrow(/maxWrites/);
  });

  it('says where each answer came from: computed, then memory', async () => {
    const cache = createAnswerCache();
    expect((await cache.get('k', [], async () => '{}')).source).toBe('computed');
    expect(await cache.get('k', [], async () => 'never')).toEqual({ text: '{}', etag: etagOf('{}'), source: 'memory' });
  });
});

describe('createAnswerCache() over a store', () => {
  it('writes a computed answer to the store; a new cache on it (a restart) reads it without computing', async () => {
    const { store, id } = await storeWithRun(1);
    const first = createAnswerCache({ store: store.answers });
    const computed = await first.get(`scaling|${id}`, [id], async () => '{"curves":[]}');
    expect(computed.source).toBe('computed');
    await first.idle();
    expect(await store.answers.get(`scaling|${id}`)).toEqual({ text: computed.text, etag: computed.etag });

    const restarted = createAnswerCache({ store: store.answers });
    let calls = 0;
    const compute = async () => {
      calls++;
      return 'computed again';
    };
    const [a, b] = await Promise.all([
      restarted.get(`scaling|${id}`, [id], compute),
      restarted.get(`scaling|${id}`, [id], compute),
    ]);
    expect(a).toEqual({ text: computed.text, etag: computed.etag, source: 'stored' });
    expect(b).toEqual(a);
    expect((await restarted.get(`scaling|${id}`, [id], compute)).source).toBe('memory');
    expect(calls).toBe(0);
  });

  it('keeps an answer over maxStoredBytes in memory only', async () => {
    const { store, id } = await storeWithRun(2);
    const cache = createAnswerCache({ store: store.answers, maxStoredBytes: 8 });
    await cache.get('big', [id], async () => '123456789');
    await cache.get('small', [id], async () => '12345678');
    await cache.idle();
    expect(await store.answers.get('big')).toBeNull();
    expect(await store.answers.get('small')).toMatchObject({ text: '12345678' });
    expect((await cache.get('big', [id], async () => 'x')).source).toBe('memory');
  });

  it('keeps at most maxStoredTotalBytes in the store, the newest', async () => {
    const { store, id } = await storeWithRun(5);
    let clock = NOW;
    const cache = createAnswerCache({ store: store.answers, maxStoredTotalBytes: 10, now: () => clock++ });
    await cache.get('first', [id], async () => '12345678');
    await cache.idle();
    await cache.get('second', [id], async () => 'abcdefgh');
    await cache.idle();
    expect(await store.answers.get('first')).toBeNull();
    expect(await store.answers.get('second')).toMatchObject({ text: 'abcdefgh' });
  });

  it('answers when the store fails, and says so once', async () => {
    const { store, id } = await storeWithRun(3);
    const lines: string[] = [];
    const cache = createAnswerCache({ store: store.answers, log: (line) => lines.push(line) });
    await store.close(); // every read and write of the store now throws, as a lost database would
    expect(await cache.get('a', [id], async () => '{"a":1}')).toMatchObject({ text: '{"a":1}', source: 'computed' });
    expect(await cache.get('b', [id], async () => '{"b":1}')).toMatchObject({ text: '{"b":1}', source: 'computed' });
    await cache.idle();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/answers: .* failed .*answering anyway/);
  });

  it('keeps nothing in the store about a run deleted while its answer was computed', async () => {
    const { store, id } = await storeWithRun(4);
    const cache = createAnswerCache({ store: store.answers });
    let release = () => {};
    const late = cache.get('z', [id], () => new Promise<string>((r) => (release = () => r('z'))));
    await new Promise((r) => setTimeout(r, 0));
    expect(await store.runs.delete(id)).toBe(true);
    cache.forgetRun(id);
    release();
    expect((await late).text).toBe('z');
    await cache.idle();
    expect(await store.answers.get('z')).toBeNull();
  });
});
