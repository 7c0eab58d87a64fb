/**
 * Response compression: brotli when the client accepts it, else gzip, for
 * text bodies (JSON, HTML, JavaScript, CSS, SVG) of at least `threshold`
 * bytes. The work runs in zlib's thread pool (the async API), not on the
 * event loop. hono's own `compress` knows gzip and deflate only.
 *
 * Large bodies are many readers' same answer (a public history, a run): their
 * compressed bytes are kept by the body's hash and encoding, size-bounded, so
 * compressing a 1 MB history (tens of ms) happens once per distinct answer,
 * not once per reader. Hashing it costs about a millisecond.
 *
 * @example
 * app.use('*', compress());
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { MiddlewareHandler } from 'hono';

export interface CompressOptions {
  /** Smallest body worth compressing, in bytes (default 1024). */
  threshold?: number;
  /** Total compressed bytes kept for reuse (default 32 MiB; 0 keeps none). */
  cacheBytes?: number;
  /** Smallest body whose compressed bytes are kept (default 64 KiB: below it, compressing is cheaper than keeping). */
  cacheFrom?: number;
}

export const COMPRESS_DEFAULTS = { threshold: 1024, cacheBytes: 32 * 2 ** 20, cacheFrom: 64 * 1024 } as const;

/** The compression middleware, and what its cache of compressed bodies holds. */
export type Compressor = MiddlewareHandler & {
  cache(): { entries: number; bytes: number; hits: number; misses: number };
};

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);
/** From this size on, bodies are compressed at the fastest level (see compressResponse). */
export const LARGE_BODY_BYTES = 256 * 1024;
const COMPRESSIBLE = /^(application\/(json|javascript)|text\/|image\/svg\+xml)/i;

/** Which encoding to answer an `Accept-Encoding` with: `br`, `gzip` or null. */
export function chooseEncoding(accept: string | undefined): 'br' | 'gzip' | null {
  if (!accept) return null;
  const offered = new Map<string, number>();
  for (const part of accept.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)).find(Boolean);
    offered.set(name!.trim(), q ? Number(q[1]) : 1);
  }
  const weight = (name: string) => offered.get(name) ?? offered.get('*') ?? 0;
  if (weight('br') > 0 && weight('br') >= weight('gzip')) return 'br';
  if (weight('gzip') > 0) return 'gzip';
  return null;
}

/** Compresses `plain` for `encoding`: the fastest level for large bodies (see compressResponse). */
function compressBody(plain: Buffer, encoding: 'br' | 'gzip'): Promise<Buffer> {
  // A large body (a 10,000-point history is 1.1 MB) at the fastest level: brotli 5 spent
  // ~45 ms on it per request, level 1 a fraction of that for a few percent more bytes.
  const fast = plain.length >= LARGE_BODY_BYTES;
  return encoding === 'br'
    ? brotli(plain, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: fast ? 1 : 5,
          [constants.BROTLI_PARAM_SIZE_HINT]: plain.length,
          [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        },
      })
    : gzipAsync(plain, { level: fast ? 1 : 6 });
}

/** The middleware (see the module comment); options are checked here. */
export function compress(opts: CompressOptions = {}): Compressor {
  const threshold = opts.threshold ?? COMPRESS_DEFAULTS.threshold;
  const cacheBytes = opts.cacheBytes ?? COMPRESS_DEFAULTS.cacheBytes;
  const cacheFrom = opts.cacheFrom ?? COMPRESS_DEFAULTS.cacheFrom;
  for (const [name, value] of [
    ['threshold', threshold],
    ['cacheBytes', cacheBytes],
    ['cacheFrom', cacheFrom],
  ] as const) {
    if (!(Number.isInteger(value) && value >= 0))
      throw new RangeError(`${name} must be a whole number >= 0, got ${value}`);
  }
  // Compressed bodies by encoding and the plain body's hash; Map order is use order (oldest first).
  const kept = new Map<string, Buffer>();
  let keptBytes = 0;
  let hits = 0;
  let misses = 0;
  const compressKept = async (plain: Buffer, encoding: 'br' | 'gzip'): Promise<Buffer> => {
    if (cacheBytes === 0 || plain.length < cacheFrom) return compressBody(plain, encoding);
    const key = `${encoding}:${createHash('sha1').update(plain).digest('base64')}`;
    const hit = kept.get(key);
    if (hit) {
      hits++;
      kept.delete(key);
      kept.set(key, hit);
      return hit;
    }
    misses++;
    const body = await compressBody(plain, encoding);
    if (body.length <= cacheBytes / 4 && !kept.has(key)) {
      kept.set(key, body);
      keptBytes += body.length;
      for (const [oldest, bytes] of kept) {
        if (keptBytes <= cacheBytes) break;
        kept.delete(oldest);
        keptBytes -= bytes.length;
      }
    }
    return body;
  };

  const handler = async function compressResponse(c, next) {
    await next();
    const res = c.res;
    const type = res.headers.get('content-type') ?? '';
    if (!res.body || res.headers.has('content-encoding') || !COMPRESSIBLE.test(type) || c.req.method === 'HEAD') {
      return;
    }
    const encoding = chooseEncoding(c.req.header('accept-encoding'));
    res.headers.append('vary', 'Accept-Encoding');
    if (!encoding) return;
    const plain = Buffer.from(await res.arrayBuffer());
    const body = plain.length >= threshold ? await compressKept(plain, encoding) : plain;
    // (hono's c.res setter copies the old answer's headers over the new one's: set them afterwards.)
    c.res = new Response(new Uint8Array(body), res);
    c.res.headers.delete('content-length');
    if (body !== plain) {
      c.res.headers.set('content-encoding', encoding);
      // A strong ETag names the bytes sent, and the compressed bytes are other bytes.
      const etag = c.res.headers.get('etag');
      if (etag && !etag.startsWith('W/')) c.res.headers.set('etag', `${etag.slice(0, -1)}-${encoding}"`);
    }
  } satisfies MiddlewareHandler;
  return Object.assign(handler, {
    cache: () => ({ entries: kept.size, bytes: keptBytes, hits, misses }),
  });
}
