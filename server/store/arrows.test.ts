/**
 * The store's arrows: backends and the contract import only the store itself,
 * the run schema (harness/schema.ts) and packages, never the services, the
 * detector, the routes or the app that sit above them. The test files are
 * held to nothing (they may use fixtures and the services).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const STORE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(STORE, '../..');
const ALLOWED_OUTSIDE = ['harness/schema.ts'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && e.name !== 'testing.ts'
        ? [join(dir, e.name)]
        : [],
  );
}

describe('server/store imports', () => {
  it('reach nothing above the store', () => {
    const wrong: string[] = [];
    for (const file of sources(STORE)) {
      for (const [, spec] of readFileSync(file, 'utf8').matchAll(/\bfrom '([^']+)'/g)) {
        if (!spec!.startsWith('.')) continue; // a package
        const target = relative(ROOT, resolve(dirname(file), spec!));
        if (target.startsWith('server/store/') || ALLOWED_OUTSIDE.includes(target)) continue;
        wrong.push(`${relative(ROOT, file)} -> ${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
