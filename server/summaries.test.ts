/**
 * The API's Markdown summary of a run is what the CLI prints for the same
 * document (`gilbench compare FILE --format markdown`, a real process), it
 * renders as tables in a Markdown renderer, and bad input is a 4xx.
 */
import { writeFileSync } from 'node:fs';
import { marked } from 'marked';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../harness/test-support/index.ts';
import { type GilbenchApp, openApp } from './app.ts';
import { copyDatabase, type Seed, seedDatabase } from './test-support/index.ts';

describe('GET /api/v1/runs/:id/summary.md', () => {
  const { dir, remove } = tempDir();
  let seed: Seed;
  let app: GilbenchApp;

  beforeAll(async () => {
    seed = await seedDatabase(`${dir}/seed.db`);
    app = await openApp({ db: copyDatabase(seed.file, dir), public: true, log: () => {} });
  });
  afterAll(async () => {
    await app.close();
    remove();
  });

  it('answers what `gilbench compare --format markdown` prints for the run, for each base', async () => {
    const run = seed.runsA[0]!;
    const file = `${dir}/run.json`;
    writeFileSync(file, JSON.stringify(run));
    for (const base of [undefined, 'nogil']) {
      const res = await app.request(`/api/v1/runs/${run.id}/summary.md${base ? `?base=${base}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
      const cli = await runCli(['compare', file, '--format', 'markdown', ...(base ? ['--base', base] : [])]);
      expect(cli.code, cli.stderr).toBe(0);
      expect(await res.text()).toBe(cli.stdout);
    }
  }, 60_000);

  it('renders as one table per suite and other mode', async () => {
    const run = seed.runsA[0]!;
    const text = await (await app.request(`/api/v1/runs/${run.id}/summary.md`)).text();
    const html = await marked.parse(text);
    const tables = html.match(/<table>/g) ?? [];
    const headings = text.match(/^### /gm) ?? [];
    expect(tables.length).toBeGreaterThan(0);
    expect(tables.length).toBe(headings.length);
    expect(html).toMatch(/<th[^>]*>Ratio \[95% CI\]<\/th>/);
  });

  it('is kept like every answer about a run: an ETag, and 304 for a client that holds it', async () => {
    const path = `/api/v1/runs/${seed.runsA[1]!.id}/summary.md`;
    const first = await app.request(path);
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    expect(first.headers.get('cache-control')).toMatch(/immutable/);
    expect((await app.request(path, { headers: { 'if-none-match': etag! } })).status).toBe(304);
  });

  it('says what is wrong with a bad base or run, as JSON', async () => {
    const run = seed.runsA[0]!;
    const bad = await app.request(`/api/v1/runs/${run.id}/summary.md?base=no-such-mode`);
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({ error: 'invalid', detail: expect.stringContaining('no-such-mode') });
    const missing = await app.request('/api/v1/runs/a5a5a5a5-0000-4000-8000-00000000dead/summary.md');
    expect(missing.status).toBe(404);
    expect((await app.request('/api/v1/runs/not-a-uuid/summary.md')).status).toBe(400);
  });
});
