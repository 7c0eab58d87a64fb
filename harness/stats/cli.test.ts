import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, sampleRunDocument, tempDir } from '../test-support/index.ts';
import type { RunComparison } from './types.ts';

const gilbench = (...args: string[]) => runCli(args, { GILBENCH_DEBUG: '' });

describe('gilbench compare', () => {
  const { dir, remove } = tempDir('gilbench-compare-');
  let runFile: string;

  beforeAll(async () => {
    runFile = join(dir, 'run.json');
    await writeFile(runFile, JSON.stringify(sampleRunDocument(), null, 2));
  });
  afterAll(remove);

  it('prints the comparison tables with the expected rows', async () => {
    const { code, stdout, stderr } = await gilbench('compare', runFile);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('single-thread: cpython-3.13.5t/nogil vs cpython-3.13.5/gil');
    expect(stdout).toMatch(
      /^int-add\s+\S+ ns ±\S+%\s+\S+ ns ±\S+%\s+1\.\d\d× \[1\.\d\d, 1\.\d\d\]\s+slower\s+significant/m,
    );
    expect(stdout).toMatch(/^shared-dict-read\[threads=2\]\s+.*faster\s+significant/m);
    expect(stdout).toMatch(/^attr-read\s+.*not significant/m);
    expect(stdout.match(/^Geometric mean/gm)).toHaveLength(4);
    expect(stdout).toContain('checksum-mismatch: scaling/list-append[threads=2]');
  });

  it('--json prints the RunComparison, --base picks the base', async () => {
    const { code, stdout } = await gilbench('compare', runFile, '--json', '--base', 'nogil');
    expect(code).toBe(0);
    const comparison = JSON.parse(stdout) as RunComparison;
    expect(comparison.base.id).toBe('cpython-3.13.5t/nogil');
    expect(comparison.others.map((m) => m.mode)).toEqual(['gil', 'ft-gil']);
    expect(comparison.suites.map((s) => s.suite)).toEqual(['single-thread', 'scaling']);
  });

  it('--all lists the cases that could not be compared', async () => {
    const { code, stdout } = await gilbench('compare', runFile, '--all');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^shared-dict-read\[threads=4\]\s+-\s+-\s+–\s+cpython-3.13.5t\/ft-gil result is error/m);
  });

  it('exits 2 with one line for a missing file, bad JSON, an invalid document and an unknown base', async () => {
    const badJson = join(dir, 'bad.json');
    await writeFile(badJson, '{"schema": ');
    const invalid = join(dir, 'invalid.json');
    const doc = sampleRunDocument() as unknown as { results: { suite: unknown }[] };
    doc.results[3]!.suite = 42;
    await writeFile(invalid, JSON.stringify(doc));

    const cases: [string[], RegExp][] = [
      [
        ['compare', join(dir, 'nope.json')],
        /^gilbench: cannot read .*nope\.json: no such file; pass the path of a run document/,
      ],
      [['compare', badJson], /^gilbench: .*bad\.json is not JSON \(.+\); pass the path/],
      [
        ['compare', invalid],
        /^gilbench: .*invalid\.json is not a valid gilbench\.run\/v1 document: .*expected string.* at results\[3\]\.suite; /,
      ],
      [['compare', runFile, '--base', 'pypy'], /^gilbench: no mode 'pypy' in this run \(its modes: .*\); pass --base/],
    ];
    for (const [args, message] of cases) {
      const { code, stdout, stderr } = await gilbench(...args);
      expect(code, args.join(' ')).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(message);
      expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  });
});
