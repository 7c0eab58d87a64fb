import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../harness/test-support/index.ts';
import { openApp } from '../server/app.ts';
import { type Seed, seedDatabase, startGilbench } from '../server/test-support/index.ts';
import { dashboard, openServerDb } from './seams.ts';

const { dir, remove } = tempDir('gilbench-seams-');
let seed: Seed;
beforeAll(async () => {
  seed = await seedDatabase(join(dir, 'seed.db'));
});
afterAll(remove);

describe('the dashboard handed to the server', () => {
  it('is served outside /api/ with its CSP; the API still answers JSON', async () => {
    const app = await openApp({ db: join(dir, 'dash.db'), public: true, dashboard: dashboard() });
    try {
      const page = await app.request('/');
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      const api = await app.request('/api/v1/no-such-route');
      expect(api.status).toBe(404);
      expect(await api.json()).toMatchObject({ error: expect.any(String) });
    } finally {
      app.close();
    }
  });

  it('is left out when none is handed in, and without a web/ folder', async () => {
    expect(dashboard(null)).toBeUndefined();
    const app = await openApp({ db: join(dir, 'nodash.db'), public: true });
    try {
      const page = await app.request('/');
      expect(page.status).toBe(404);
      expect(page.headers.get('content-type')).toContain('application/json');
    } finally {
      app.close();
    }
  });

  it('gilbench server serves it, and --no-web does not', async () => {
    const withWeb = await startGilbench(join(dir, 'web.db'), { args: ['--public'], web: true });
    const apiOnly = await startGilbench(join(dir, 'api.db'), { args: ['--public'] });
    try {
      const page = await fetch(`${withWeb.url}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<meta name="gilbench-data" content="api">');
      expect((await fetch(`${apiOnly.url}/`)).status).toBe(404);
    } finally {
      await Promise.all([withWeb.stop(), apiOnly.stop()]);
    }
  });
});

describe('the server app opened in-process for export-site --db', () => {
  it('answers as `gilbench server --db FILE --public` would', async () => {
    const { request, close } = await openServerDb(seed.file);
    try {
      const response = await request('/api/v1/machines');
      expect(response.status).toBe(200);
      const { machines } = (await response.json()) as { machines: Array<{ id: number }> };
      expect(machines.map((m) => m.id).sort()).toEqual([seed.machineA.id, seed.machineB.id].sort());
    } finally {
      close();
    }
  });

  it('gilbench export-site DIR --db FILE writes the site from the database', async () => {
    const out = join(dir, 'site');
    const result = await runCli(['export-site', out, '--db', seed.file]);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/exported 2 machine\(s\), 4 run\(s\)/);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('content="static"');
    expect(readdirSync(join(out, 'data')).length).toBeGreaterThan(0);
  });

  it('a missing database is a usage error that writes nothing', async () => {
    const out = join(dir, 'no-site');
    const result = await runCli(['export-site', out, '--db', join(dir, 'missing.db')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^gilbench: database not found: .*missing\.db; pass the database gilbench server uses/,
    );
    expect(existsSync(out)).toBe(false);
  });
});
