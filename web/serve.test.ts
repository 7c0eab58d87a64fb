import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_CSP, webRoutes } from './serve.ts';

let base = '';
let close = () => {};

beforeAll(async () => {
  const app = new Hono();
  app.get('/api/v1/ping', (c) => c.json({ ok: true }));
  app.route('/', webRoutes());
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
});
afterAll(() => close());

describe('webRoutes', () => {
  it('serves the page and its bundle with the CSP and safe headers', async () => {
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
    expect(DASHBOARD_CSP).not.toContain('unsafe-inline');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(await page.text()).toContain('gilbench');
    const js = await fetch(`${base}/app.js`);
    expect(js.headers.get('content-type')).toContain('javascript');
    expect((await js.text()).length).toBeGreaterThan(10_000);
  });

  it('names the bundle and stylesheet by their content hash, served immutable; index.html revalidates', async () => {
    const page = await fetch(`${base}/index.html`);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const html = await page.text();
    const script = /<script type="module" src="(app\.[0-9a-f]{16}\.js)"><\/script>/.exec(html)?.[1];
    const style = /<link rel="stylesheet" href="(style\.[0-9a-f]{16}\.css)">/.exec(html)?.[1];
    expect(script, html).toBeTruthy();
    expect(style, html).toBeTruthy();
    for (const [hashed, plain, type] of [
      [script!, 'app.js', 'javascript'],
      [style!, 'style.css', 'text/css'],
    ] as const) {
      const answer = await fetch(`${base}/${hashed}`);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(answer.headers.get('content-type')).toContain(type);
      const unhashed = await fetch(`${base}/${plain}`);
      expect(unhashed.headers.get('cache-control')).toBe('no-cache');
      // The same bytes under both names; the hash is of those bytes.
      const body = Buffer.from(await answer.arrayBuffer());
      expect(body.equals(Buffer.from(await unhashed.arrayBuffer()))).toBe(true);
      expect(hashed).toContain(createHash('sha256').update(body).digest('hex').slice(0, 16));
    }
    // A hash that is not the current content's is not served.
    expect((await fetch(`${base}/app.0123456789abcdef.js`)).status).toBe(404);
  });

  it('leaves the API alone and serves nothing outside the bundle', async () => {
    expect(await (await fetch(`${base}/api/v1/ping`)).json()).toEqual({ ok: true });
    for (const path of ['/package.json', '/src/main.ts', '/..%2fpackage.json', '/build.ts']) {
      expect((await fetch(`${base}${path}`)).status, path).toBe(404);
    }
  });
});
