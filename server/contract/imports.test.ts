import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const here = new URL('./', import.meta.url);
const specifiers = (file: string) =>
  [...readFileSync(new URL(file, here), 'utf8').matchAll(/^\s*(?:import|export)[^'"]*?from\s+'([^']+)'/gm)].map(
    (m) => m[1]!,
  );

describe('the contract', () => {
  const files = readdirSync(here).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

  it('imports only itself, the harness (the run document) and libraries: no store, database or server code', () => {
    const outside = files.flatMap((f) =>
      specifiers(f)
        .filter((s) => s.startsWith('.') && !s.startsWith('./') && !s.startsWith('../../harness/'))
        .map((s) => `${f}: ${s}`),
    );
    expect(files.length).toBeGreaterThan(5);
    expect(outside).toEqual([]);
  });

  it('keeps enums.ts free of imports, so the dashboard can take its constants without zod', () => {
    expect(specifiers('enums.ts')).toEqual([]);
  });
});
