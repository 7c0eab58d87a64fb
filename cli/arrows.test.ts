/**
 * The arrows enforced: every import in the tree runs the way ARROWS allows
 * (`suites -> harness <- agents -> server(API) <- web`, cli above them all),
 * and every dynamic import names its module in a string literal.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ARROWS, arrowError, importsOf, ROOMS } from './arrows.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SOURCE = /\.(ts|tsx|mts|cts|mjs|cjs|js)$/;
const SKIP = new Set(['node_modules', 'dist', 'screenshots']);

/**
 * Arrows that run the wrong way today, each to be removed by the work named
 * above it. The test fails on any violation not listed here, and on any
 * entry here that no longer occurs (delete it then), so the list only shrinks.
 * Their files are exempt from biome's noRestrictedImports in biome.json's
 * overrides: take each file out there when its entries go. Test code (tests,
 * test support, benches) is checked by this test alone: it may also import
 * any room's test support, which biome's patterns cannot say per room.
 */
const PENDING: ReadonlySet<string> = new Set([]);

/** Every source file of a room, repository-relative, with `/` separators. */
function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const path = posix.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (SOURCE.test(entry.name)) out.push(path);
  }
  return out;
}

/** Each import of the tree as `from -> to` (relative specifiers only: packages are no room), and each computed one. */
function scanTree(): { arrows: Array<{ from: string; to: string; line: number }>; computed: string[] } {
  const arrows: Array<{ from: string; to: string; line: number }> = [];
  const computed: string[] = [];
  for (const file of ROOMS.flatMap((room) => sourceFiles(room))) {
    for (const site of importsOf(file, readFileSync(join(ROOT, file), 'utf8'))) {
      if (site.specifier === null) computed.push(`${file}:${site.line}`);
      else if (site.specifier.startsWith('.'))
        arrows.push({ from: file, to: posix.join(posix.dirname(file), site.specifier), line: site.line });
    }
  }
  return { arrows, computed };
}

describe('importsOf', () => {
  it('reads every form of import, and marks a computed one', () => {
    const text = [
      "import a from './a.ts';",
      "import type { B } from '../b.ts';",
      "import './side-effect.ts';",
      "export { c } from './c.ts';",
      "export * from './d.ts';",
      "export type { E } from './e.ts';",
      "import f = require('./f.cjs');",
      "type G = import('./g.ts').G;",
      "const h = await import('./h.ts');",
      'const i = await import(`./i.ts`);',
      'const j = await import(name);',
      "const k = await import('./k/' + name);",
      'const notAnImport = \'import x from "./no.ts"\';',
      "// import y from './comment.ts';",
    ].join('\n');
    expect(importsOf('x.ts', text)).toEqual([
      { specifier: './a.ts', line: 1 },
      { specifier: '../b.ts', line: 2 },
      { specifier: './side-effect.ts', line: 3 },
      { specifier: './c.ts', line: 4 },
      { specifier: './d.ts', line: 5 },
      { specifier: './e.ts', line: 6 },
      { specifier: './f.cjs', line: 7 },
      { specifier: './g.ts', line: 8 },
      { specifier: './h.ts', line: 9 },
      { specifier: './i.ts', line: 10 },
      { specifier: null, line: 11 },
      { specifier: null, line: 12 },
    ]);
  });
});

describe('arrowError', () => {
  it.each([
    ['harness/x.ts', 'server/y.ts', 'harness/x.ts imports server/y.ts: harness imports no other room'],
    ['harness/run/x.ts', 'cli/main.ts', 'harness/run/x.ts imports cli/main.ts: harness imports no other room'],
    ['suites/s.ts', 'agents/a.ts', 'suites/s.ts imports agents/a.ts: suites import only harness'],
    ['agents/a.ts', 'server/repo/types.ts', expect.stringContaining('agents import only harness and server/contract')],
    ['agents/a.ts', 'web/src/api.ts', expect.stringContaining('agents import only harness and server/contract')],
    ['web/export.ts', 'server/app.ts', expect.stringContaining('web imports only harness and server/contract')],
    ['web/src/api.ts', 'agents/client.ts', expect.stringContaining('web imports only')],
    [
      'server/app.ts',
      'web/serve.ts',
      'server/app.ts imports web/serve.ts: server imports only harness (never web, agents or cli)',
    ],
    ['server/app.ts', 'agents/agent.ts', expect.stringContaining('server imports only harness')],
    ['server/cli.ts', 'cli/main.ts', expect.stringContaining('server imports only harness')],
    [
      'server/routes.ts',
      'server/test-support/index.ts',
      expect.stringContaining('production code never imports test code'),
    ],
    [
      'agents/agent.ts',
      'harness/test-support/runs.ts',
      expect.stringContaining('production code never imports test code'),
    ],
    ['agents/e2e.test.ts', 'server/repo/types.ts', expect.stringContaining('agents import only harness')],
    ['server/contract/jobs.ts', 'server/store/core/types.ts', expect.stringContaining('the API contract imports only')],
    [
      'server/store/sqlite/windows.ts',
      'server/detector/detector.ts',
      expect.stringContaining('the store imports only'),
    ],
    ['server/store/core/types.ts', 'server/services/index.ts', expect.stringContaining('the store imports only')],
  ])('%s -> %s is refused', (from, to, message) => {
    expect(arrowError(from, to)).toEqual(message);
  });

  it.each([
    ['harness/run/cli.ts', 'harness/errors.ts'],
    ['suites/s.ts', 'harness/schema.ts'],
    ['agents/client.ts', 'server/contract/runs.ts'],
    ['web/src/api.ts', 'server/contract/index.ts'],
    ['web/export.ts', 'harness/errors.ts'],
    ['server/routes.ts', 'harness/stats/index.ts'],
    ['cli/main.ts', 'server/cli.ts'],
    ['cli/main.ts', 'web/export.ts'],
    ['cli/start-pass.ts', 'agents/agent.ts'],
    ['agents/e2e.test.ts', 'server/test-support/index.ts'],
    ['web/test/server.ts', 'server/test-support/index.ts'],
    ['server/contract/runs.ts', 'harness/schema.ts'],
    ['server/store/core/types.ts', 'server/contract/enums.ts'],
    ['server/store/contract.test.ts', 'server/test-support/index.ts'],
  ])('%s -> %s is allowed', (from, to) => {
    expect(arrowError(from, to)).toBeNull();
  });

  it('has a rule for every room', () => {
    expect(Object.keys(ARROWS).sort()).toEqual([...ROOMS].sort());
  });
});

describe('the tree', () => {
  const { arrows, computed } = scanTree();

  it('reads the imports of every room', () => {
    // A scan that found nothing would pass every check below.
    for (const room of ROOMS) expect(arrows.some((a) => a.from.startsWith(`${room}/`))).toBe(true);
  });

  it('imports no module through a computed string', () => {
    expect(computed, 'name the module in a string literal, so tsc and readers see the arrow').toEqual([]);
  });

  it('runs every arrow the way ARROWS allows', () => {
    const wrong = arrows
      .map((a) => ({ ...a, error: arrowError(a.from, a.to) }))
      .filter((a) => a.error && !PENDING.has(`${a.from} -> ${a.to}`))
      .map((a) => `${a.error} (line ${a.line})`);
    expect(wrong, 'see ARROWS in cli/arrows.ts and the Architecture section of README.md').toEqual([]);
  });

  it('lists in PENDING only arrows that still run the wrong way', () => {
    const present = new Set(arrows.filter((a) => arrowError(a.from, a.to)).map((a) => `${a.from} -> ${a.to}`));
    const stale = [...PENDING].filter((pair) => !present.has(pair));
    expect(stale, 'these are fixed: delete them from PENDING in cli/arrows.test.ts').toEqual([]);
  });
});
