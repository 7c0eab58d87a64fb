import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRoute, VIEWS, viewById } from './index.ts';

describe('the view registry', () => {
  it('names each view once, with a title and nav text, home first', () => {
    expect(VIEWS.map((v) => v.id)).toEqual([
      'overview',
      'compare',
      'scaling',
      'calls',
      'locks',
      'history',
      'trends',
      'regressions',
      'machines',
    ]);
    expect(new Set(VIEWS.map((v) => v.id)).size).toBe(VIEWS.length);
    for (const v of VIEWS) expect(v.title && v.nav, v.id).toBeTruthy();
    expect(viewById('nope')).toBe(VIEWS[0]);
  });

  it('routes every registered view and nothing else', () => {
    for (const v of VIEWS) expect(parseRoute(`#/${v.id}?machine=1`).view).toBe(v.id);
    expect(parseRoute('#/exportData').view).toBe('overview');
  });

  it('is where the nav bar comes from: index.html holds no view links of its own', () => {
    const html = readFileSync(new URL('../../index.html', import.meta.url), 'utf8');
    expect(html).toContain('<nav aria-label="views" id="nav"></nav>');
  });

  it('can be read outside a browser: render steps load only when drawn', async () => {
    // Importing the registry in Node (as export-site does) did not touch chart.js, which needs a window.
    expect(typeof window).toBe('undefined');
    const { DRAW } = await import('./renderers.ts');
    await expect(DRAW[VIEWS[0].id]({} as never)).rejects.toThrow();
  });

  it('pairs every view with its render step', async () => {
    const { DRAW } = await import('./renderers.ts');
    expect(Object.keys(DRAW).sort()).toEqual(VIEWS.map((v) => v.id).sort());
  });
});
