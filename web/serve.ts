/**
 * Serves the built dashboard (`web/dist/`) from a hono app, with the safe
 * headers every page needs: a Content-Security-Policy without inline
 * scripts or styles, nosniff, no framing, no referrer. The server mounts it
 * after its API routes:
 *
 * @example
 * import { webRoutes } from '../web/serve.ts';
 * app.route('/', webRoutes(webDir)); // webDir: the repository's web/ folder
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { Hono, type MiddlewareHandler } from 'hono';
import { ensureWebBuilt, WEB_DIR } from './build.ts';

/** The dashboard's Content-Security-Policy: everything from its own origin, nothing inline. */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The same policy for a `<meta http-equiv>` tag (exported sites, whose host sets no
 * headers): browsers ignore `frame-ancestors` there, so it is left out.
 */
export const DASHBOARD_META_CSP = DASHBOARD_CSP.split('; ')
  .filter((directive) => !directive.startsWith('frame-ancestors'))
  .join('; ');

/** Headers for every dashboard response (the server may set the same on its API). */
export const SAFE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': DASHBOARD_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
});

/** Sets `SAFE_HEADERS` on every response that passes through. */
export function safeHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(SAFE_HEADERS)) c.res.headers.set(name, value);
  };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

export interface WebRoutesOptions {
  /** Skip the build check (the caller built `dist/` already). */
  prebuilt?: boolean;
}

/**
 * A hono app serving `GET /` (index.html) and the bundle's files. It builds
 * `dist/` on first use when it is missing or stale, so `gilbench server`
 * always serves the dashboard of its sources. Unknown paths fall through
 * (404 from the parent app).
 */
export function webRoutes(webDir: string = WEB_DIR, opts: WebRoutesOptions = {}): Hono {
  const root = resolve(webDir);
  if (!existsSync(join(root, 'src', 'main.ts')) && !existsSync(join(root, 'dist', 'index.html'))) {
    throw new Error(`webRoutes: ${root} is not the dashboard's folder (no src/main.ts, no dist/index.html)`);
  }
  const distDir = join(root, 'dist');
  let ready: Promise<string> | null = opts.prebuilt ? Promise.resolve(distDir) : null;
  const files = new Map<string, Buffer>();

  /**
   * The bundle and stylesheet are also served under names that carry their content's hash
   * (`app.<hash>.js`, `style.<hash>.css`), which index.html refers to: a name that never
   * changes content may be cached for good; index.html revalidates every time.
   */
  let hashed: { index: Buffer; assets: Map<string, Buffer> } | null = null;
  const hashedOf = (dir: string) => {
    if (hashed) return hashed;
    const assets = new Map<string, Buffer>();
    let index = readFileSync(join(dir, 'index.html'), 'utf8');
    for (const [plain, stem, ext] of [
      ['app.js', 'app', '.js'],
      ['style.css', 'style', '.css'],
    ] as const) {
      const body = readFileSync(join(dir, plain));
      const name = `${stem}.${createHash('sha256').update(body).digest('hex').slice(0, 16)}${ext}`;
      assets.set(name, body);
      index = index.replace(new RegExp(`(src|href)="${plain.replace('.', '\\.')}"`), `$1="${name}"`);
    }
    hashed = { index: Buffer.from(index), assets };
    return hashed;
  };

  const app = new Hono();
  app.use('*', safeHeaders());
  app.get('/:file{(app\\.[0-9a-f]{16}\\.js|style\\.[0-9a-f]{16}\\.css)}', async (c) => {
    ready ??= existsSync(join(root, 'src', 'main.ts')) ? ensureWebBuilt({ webDir: root }) : Promise.resolve(distDir);
    const name = c.req.param('file');
    const body = hashedOf(await ready).assets.get(name);
    if (!body) return c.notFound();
    return c.body(new Uint8Array(body), 200, {
      'content-type': TYPES[extname(name)]!,
      'cache-control': 'public, max-age=31536000, immutable',
    });
  });
  app.get('/:file{(index\\.html|app\\.js|app\\.js\\.map|style\\.css|app\\.js\\.LEGAL\\.txt)?}', async (c) => {
    ready ??= existsSync(join(root, 'src', 'main.ts')) ? ensureWebBuilt({ webDir: root }) : Promise.resolve(distDir);
    const dir = await ready;
    const name = c.req.param('file') || 'index.html';
    const path = join(dir, name);
    let body = name === 'index.html' && existsSync(path) ? hashedOf(dir).index : files.get(path);
    if (!body) {
      if (!existsSync(path)) return c.notFound();
      body = readFileSync(path);
      files.set(path, body);
    }
    return c.body(new Uint8Array(body), 200, {
      'content-type': TYPES[extname(name)] ?? 'application/octet-stream',
      // index.html always revalidates (it names the hashed files); so do the unhashed names.
      'cache-control': 'no-cache',
    });
  });
  return app;
}
