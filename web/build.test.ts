import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildWeb, DIST_FILES, ensureWebBuilt, WEB_DIR, webBuildIsStale } from './build.ts';

const out = join(mkdtempSync(join(tmpdir(), 'gilbench-web-build-')), 'dist');
afterAll(() => rmSync(join(out, '..'), { recursive: true, force: true }));

describe('buildWeb', () => {
  it('bundles the dashboard into relative files that need neither eval nor inline script', async () => {
    await buildWeb({ outDir: out });
    for (const name of DIST_FILES) expect(statSync(join(out, name)).size).toBeGreaterThan(0);
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(html).toContain('<script type="module" src="app.js"></script>');
    expect(html).toContain('href="style.css"');
    // The CSP has no 'unsafe-inline' or 'unsafe-eval': no inline script, no handler attributes, no eval.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    const js = readFileSync(join(out, 'app.js'), 'utf8');
    expect(js).not.toMatch(/\beval\(|new Function\(/);
  });

  it('keeps zod out of the page: the API contract reaches it as types and plain constants only', async () => {
    await buildWeb({ outDir: out });
    const js = readFileSync(join(out, 'app.js'), 'utf8');
    expect(/ZodError|\$ZodType/.test(js), 'zod is bundled into app.js').toBe(false);
    expect(js).toContain('acknowledged'); // the regression statuses, from server/contract/enums.ts
  });

  it('rebuilds only when a source is newer than the bundle', async () => {
    await ensureWebBuilt({ outDir: out });
    expect(webBuildIsStale(WEB_DIR, out)).toBe(false);
    const before = statSync(join(out, 'app.js')).mtimeMs;
    await ensureWebBuilt({ outDir: out });
    expect(statSync(join(out, 'app.js')).mtimeMs).toBe(before);
    // An old bundle (mtime 1970) is older than every source.
    utimesSync(join(out, 'app.js'), new Date(0), new Date(0));
    expect(webBuildIsStale(WEB_DIR, out)).toBe(true);
    await ensureWebBuilt({ outDir: out });
    expect(webBuildIsStale(WEB_DIR, out)).toBe(false);
  });
});
