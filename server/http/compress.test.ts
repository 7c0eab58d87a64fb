import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { chooseEncoding, compress, LARGE_BODY_BYTES } from './compress.ts';

const big = JSON.stringify({ rows: Array.from({ length: 500 }, (_, i) => ({ i, name: `row ${i}` })) });
const app = new Hono();
app.use('*', compress());
app.get('/json', (c) => c.body(big, 200, { 'content-type': 'application/json', etag: '"abc"' }));
// Over LARGE_BODY_BYTES, as a 10,000-point history is: compressed at the fastest level, still decoded the same.
const large = JSON.stringify({ t: Array.from({ length: 60_000 }, (_, i) => 1_700_000_000_000 + i * 86_400_000) });
app.get('/large', (c) => c.body(large, 200, { 'content-type': 'application/json' }));
app.get('/small', (c) => c.json({ ok: true }));
app.get('/png', (c) => c.body(new Uint8Array(5000), 200, { 'content-type': 'image/png' }));

describe('compress()', () => {
  it('sends brotli when accepted, gzip otherwise, the same bytes when decoded', async () => {
    const br = await app.request('/json', { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(br.headers.get('vary')).toMatch(/accept-encoding/i);
    expect(br.headers.get('etag')).toBe('"abc-br"');
    const brBytes = Buffer.from(await br.arrayBuffer());
    expect(brBytes.length).toBeLessThan(big.length / 3);
    expect(brotliDecompressSync(brBytes).toString()).toBe(big);

    const gz = await app.request('/json', { headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString()).toBe(big);
  });

  it('compresses a large body at the fastest level, the same bytes when decoded', async () => {
    expect(large.length).toBeGreaterThan(LARGE_BODY_BYTES);
    const br = await app.request('/large', { headers: { 'accept-encoding': 'br' } });
    expect(br.headers.get('content-encoding')).toBe('br');
    const brBytes = Buffer.from(await br.arrayBuffer());
    expect(brBytes.length).toBeLessThan(large.length / 3);
    expect(brotliDecompressSync(brBytes).toString()).toBe(large);
    const gz = await app.request('/large', { headers: { 'accept-encoding': 'gzip' } });
    expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString()).toBe(large);
  });

  it('leaves small bodies, binary types and clients that accept nothing alone', async () => {
    const small = await app.request('/small', { headers: { 'accept-encoding': 'br' } });
    expect(small.headers.get('content-encoding')).toBeNull();
    expect(await small.json()).toEqual({ ok: true });
    const png = await app.request('/png', { headers: { 'accept-encoding': 'br' } });
    expect(png.headers.get('content-encoding')).toBeNull();
    const none = await app.request('/json');
    expect(none.headers.get('content-encoding')).toBeNull();
    expect(await none.text()).toBe(big);
  });

  it('reads Accept-Encoding with its weights', () => {
    expect(chooseEncoding('br;q=0, gzip')).toBe('gzip');
    expect(chooseEncoding('gzip;q=1, br;q=0.5')).toBe('gzip');
    expect(chooseEncoding('*')).toBe('br');
    expect(chooseEncoding('identity')).toBeNull();
    expect(chooseEncoding(undefined)).toBeNull();
  });

  it('compresses a large answer once per encoding and keeps its bytes, within its bound', async () => {
    const compressor = compress({ cacheBytes: 2 ** 20 });
    const cached = new Hono();
    cached.use('*', compressor);
    let version = 0;
    cached.get('/large', (c) =>
      c.body(`${large.slice(0, -1)},${version}]}`, 200, { 'content-type': 'application/json' }),
    );
    const get = async (encoding: string) =>
      Buffer.from(await (await cached.request('/large', { headers: { 'accept-encoding': encoding } })).arrayBuffer());
    const first = await get('br');
    expect(await get('br')).toEqual(first);
    expect(compressor.cache()).toMatchObject({ entries: 1, hits: 1, misses: 1 });
    expect(gunzipSync(await get('gzip')).toString()).toBe(`${large.slice(0, -1)},0]}`);
    // Another body is another answer: compressed anew, and the same bytes decoded.
    version = 1;
    expect(brotliDecompressSync(await get('br')).toString()).toBe(`${large.slice(0, -1)},1]}`);
    expect(compressor.cache()).toMatchObject({ entries: 3, hits: 1, misses: 3 });
    // The bound holds: the oldest go first.
    const tiny = compress({ cacheBytes: first.length * 2 });
    const bounded = new Hono();
    bounded.use('*', tiny);
    bounded.get('/large/:v', (c) =>
      c.body(`${large.slice(0, -1)},${c.req.param('v')}]}`, 200, { 'content-type': 'application/json' }),
    );
    for (const v of [1, 2, 3, 4]) await bounded.request(`/large/${v}`, { headers: { 'accept-encoding': 'br' } });
    expect(tiny.cache().bytes).toBeLessThanOrEqual(first.length * 2);
    expect(tiny.cache().entries).toBeLessThan(4);
  });

  it('checks its options when made', () => {
    expect(() => compress({ threshold: -1 })).toThrow(RangeError);
    expect(() => compress({ cacheBytes: 1.5 })).toThrow(RangeError);
  });
});
