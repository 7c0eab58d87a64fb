/**
 * Response compression: brotli when the client accepts it, else gzip, for
 * text bodies (JSON, HTML, JavaScript, CSS, SVG) of at least `threshold`
 * bytes. The work runs in zlib's thread pool (the async API), not on the
 * event loop. hono's own `compress` knows gzip and deflate only.
 *
 * @example
 * app.use('*', compress());
 */
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { MiddlewareHandler } from 'hono';

export interface CompressOptions {
  /** Smallest body worth compressing, in bytes (default 1024). */
  threshold?: number;
}

export const COMPRESS_DEFAULTS = { threshold: 1024 } as const;

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

/** The middleware (see the module comment); options are checked here. */
export function compress(opts: CompressOptions = {}): MiddlewareHandler {
  const threshold = opts.threshold ?? COMPRESS_DEFAULTS.threshold;
  if (!(Number.isInteger(threshold) && threshold >= 0)) {
    throw new RangeError(`threshold must be a whole number >= 0, got ${threshold}`);
  }
  return async function compressResponse(c, next) {
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
    let body: Buffer = plain;
    if (plain.length >= threshold) {
      // A large body (a 10,000-point history is 1.1 MB) at the fastest level: brotli 5 spent
      // ~45 ms on it per request, level 1 a fraction of that for a few percent more bytes.
      const fast = plain.length >= LARGE_BODY_BYTES;
      body =
        encoding === 'br'
          ? await brotli(plain, {
              params: {
                [constants.BROTLI_PARAM_QUALITY]: fast ? 1 : 5,
                [constants.BROTLI_PARAM_SIZE_HINT]: plain.length,
                [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
              },
            })
          : await gzipAsync(plain, { level: fast ? 1 : 6 });
    }
    // (hono's c.res setter copies the old answer's headers over the new one's: set them afterwards.)
    c.res = new Response(new Uint8Array(body), res);
    c.res.headers.delete('content-length');
    if (body !== plain) {
      c.res.headers.set('content-encoding', encoding);
      // A strong ETag names the bytes sent, and the compressed bytes are other bytes.
      const etag = c.res.headers.get('etag');
      if (etag && !etag.startsWith('W/')) c.res.headers.set('etag', `${etag.slice(0, -1)}-${encoding}"`);
    }
  };
}
