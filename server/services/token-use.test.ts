/**
 * Reads never write (issue #13): a token's use is recorded off the request
 * path, in a batch written every few seconds and on close, at most once a
 * minute per token, and a failed write fails no read. Over a real SQLite store.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../harness/test-support/temp.ts';
import { openStore } from '../store/open.ts';
import { createServices } from './index.ts';
import { createTokenService } from './tokens.ts';

const { dir, remove } = tempDir('gilbench-token-use-');
afterAll(remove);
const NOW = Date.parse('2025-06-02T12:00:00Z');

describe('token use', () => {
  it('is not written while the token is checked; the batch writes it once, however often it was used', async () => {
    const store = await openStore(join(dir, 'use.db'));
    let touches = 0;
    const touch = store.tokens.touch.bind(store.tokens);
    store.tokens.touch = (id, at) => {
      touches++;
      return touch(id, at);
    };
    const tokens = createTokenService(store, { flushMs: 60_000 });
    const { token, info } = await tokens.create({ role: 'admin', name: 'reader' }, NOW);
    for (let i = 0; i < 5; i++) expect((await tokens.verify(token, NOW + i))?.id).toBe(info.id);
    // The reads answered; nothing was written for them yet.
    expect(touches).toBe(0);
    expect((await store.tokens.get(info.id))?.lastUsedAt).toBeNull();
    await tokens.flush();
    expect(touches).toBe(1);
    expect((await store.tokens.get(info.id))?.lastUsedAt).toBe(NOW);
    // Within the minute: not again; after it: once more.
    await tokens.verify(token, NOW + 30_000);
    await tokens.flush();
    expect(touches).toBe(1);
    await tokens.verify(token, NOW + 61_000);
    await tokens.close();
    expect(touches).toBe(2);
    expect((await store.tokens.get(info.id))?.lastUsedAt).toBe(NOW + 61_000);
    await store.close();
  });

  it('writes the batch by itself after flushMs, and a failing write fails no read', async () => {
    const store = await openStore(join(dir, 'timer.db'));
    const tokens = createTokenService(store, { flushMs: 50 });
    const { token, info } = await tokens.create({ role: 'admin' }, NOW);
    await tokens.verify(token, NOW);
    await new Promise((r) => setTimeout(r, 300));
    expect((await store.tokens.get(info.id))?.lastUsedAt).toBe(NOW);
    store.tokens.touch = async () => {
      throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    };
    expect((await tokens.verify(token, NOW + 120_000))?.id).toBe(info.id);
    await expect(tokens.flush()).resolves.toBeUndefined();
    await store.close();
  });

  it('is written when the services close', async () => {
    const file = join(dir, 'close.db');
    const services = createServices(await openStore(file));
    const { token, info } = await services.createToken({ role: 'admin' }, NOW);
    await services.verifyToken(token, NOW + 7);
    await services.close();
    const again = await openStore(file);
    expect((await again.tokens.get(info.id))?.lastUsedAt).toBe(NOW + 7);
    await again.close();
  });
});
