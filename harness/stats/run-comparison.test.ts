import { describe, expect, it } from 'vitest';
import type { Mode } from '../schema.ts';
import { fixtureMode, fixtureResult, fixtureRunDocument, sampleRunDocument } from '../test-support/index.ts';
import { geometricMean } from './geomean.ts';
import { formatRunComparison } from './report.ts';
import { BaseModeError, compareRun, resolveBaseMode } from './run-comparison.ts';

const gil = fixtureMode('gil');
const nogil = fixtureMode('nogil');
const ftGil = fixtureMode('ft-gil');

describe('compareRun()', () => {
  const doc = sampleRunDocument();
  const comparison = compareRun(doc);
  const table = (suite: string, mode: string) =>
    comparison.suites.find((s) => s.suite === suite)!.byMode.find((m) => m.other.id === mode)!;

  it('compares every other mode with the gil mode, suite by suite', () => {
    expect(comparison.base).toEqual({ id: 'cpython-3.13.5/gil', mode: 'gil' });
    expect(comparison.others.map((m) => m.id)).toEqual(['cpython-3.13.5t/nogil', 'cpython-3.13.5t/ft-gil']);
    expect(comparison.suites.map((s) => s.suite)).toEqual(['single-thread', 'scaling']);
    const rows = table('single-thread', nogil.id).rows;
    expect(rows.map((r) => r.caseId)).toEqual([
      'single-thread/int-add',
      'single-thread/attr-read',
      'single-thread/empty-body',
    ]);
    // int-add: 30 ns -> 40 ns.
    expect(rows[0]!.comparison.ratio!).toBeGreaterThan(1.25);
    expect(rows[0]!.comparison.significant).toBe(true);
    // The empty body has no ratio, and says why.
    expect(rows[2]!.comparison.reason).toMatch(/within noise of 0/);
  });

  it('groups the cases of one benchmark together', () => {
    expect(table('scaling', ftGil.id).rows.map((r) => r.caseId)).toEqual([
      'scaling/shared-dict-read[threads=1]',
      'scaling/shared-dict-read[threads=2]',
      'scaling/shared-dict-read[threads=4]',
      'scaling/list-append[threads=1]',
      'scaling/list-append[threads=2]',
      'scaling/list-append[threads=4]',
    ]);
  });

  it('lists a checksum mismatch as a problem, not a result', () => {
    expect(comparison.problems).toEqual([
      {
        kind: 'checksum-mismatch',
        caseId: 'scaling/list-append[threads=2]',
        message: expect.stringContaining('the modes computed different things'),
        checksums: { [gil.id]: '2000', [nogil.id]: '1998', [ftGil.id]: '2000' },
      },
    ]);
    const nogilCases = table('scaling', nogil.id).rows.map((r) => r.caseId);
    expect(nogilCases).not.toContain('scaling/list-append[threads=2]');
    // ft-gil agrees with gil there, so that pair is compared.
    expect(table('scaling', ftGil.id).rows.map((r) => r.caseId)).toContain('scaling/list-append[threads=2]');
  });

  it('keeps failed cases as rows with a reason, out of the geometric mean', () => {
    const byMode = table('scaling', ftGil.id);
    const failed = byMode.rows.find((r) => r.caseId === 'scaling/shared-dict-read[threads=4]')!;
    expect(failed.comparison).toMatchObject({ ratio: null, base: null, other: null });
    expect(failed.comparison.reason).toMatch(/ft-gil result is error/);
    expect(byMode.geometricMean).toEqual(geometricMean(byMode.rows.map((r) => r.comparison)));
    expect(byMode.geometricMean).toMatchObject({ count: 5, skipped: 1 });
  });

  it('takes the base by mode name or mode id', () => {
    expect(compareRun(doc, { base: 'nogil' }).base.id).toBe(nogil.id);
    const byId = compareRun(doc, { base: ftGil.id });
    expect(byId.base.id).toBe(ftGil.id);
    expect(byId.others.map((m) => m.id)).toEqual([gil.id, nogil.id]);
  });

  it('pairs cases by canonical case key, whatever the parameter order', () => {
    const run = fixtureRunDocument(
      [
        fixtureResult({ suite: 's', benchmark: 'b', params: { a: 1, b: 'x' }, mode: gil, medianNs: 10, seed: 1 }),
        fixtureResult({ suite: 's', benchmark: 'b', params: { b: 'x', a: 1 }, mode: nogil, medianNs: 20, seed: 2 }),
      ],
      [gil, nogil],
    );
    const rows = compareRun(run).suites[0]!.byMode[0]!.rows;
    expect(rows).toHaveLength(1);
    expect(rows[0]!.caseId).toBe('s/b[a=1,b=x]');
    expect(rows[0]!.comparison.ratio!).toBeGreaterThan(1.8);
  });

  it('reports a case missing from one mode and a duplicate result', () => {
    const run = fixtureRunDocument(
      [
        fixtureResult({ suite: 's', benchmark: 'only-base', mode: gil, medianNs: 10, seed: 1 }),
        fixtureResult({ suite: 's', benchmark: 'twice', mode: gil, medianNs: 10, seed: 2 }),
        fixtureResult({ suite: 's', benchmark: 'twice', mode: gil, medianNs: 99, seed: 3 }),
        fixtureResult({ suite: 's', benchmark: 'twice', mode: nogil, medianNs: 10, seed: 4 }),
      ],
      [gil, nogil],
    );
    const result = compareRun(run);
    const rows = result.suites[0]!.byMode[0]!.rows;
    expect(rows[0]!.comparison.reason).toBe(`no result in ${nogil.id}`);
    // The first of the duplicates (10 ns, not 99 ns) is used.
    expect(rows[1]!.comparison.ratio!).toBeLessThan(1.1);
    expect(result.problems).toEqual([
      {
        kind: 'duplicate-result',
        caseId: 's/twice',
        message: `s/twice has more than one result in ${gil.id}; the first one is used`,
      },
    ]);
  });

  it('has nothing to compare in a one-mode run', () => {
    const run = fixtureRunDocument(
      [fixtureResult({ suite: 's', benchmark: 'b', mode: gil, medianNs: 1, seed: 1 })],
      [gil],
    );
    expect(compareRun(run)).toMatchObject({ others: [], suites: [], problems: [] });
  });
});

describe('resolveBaseMode()', () => {
  const other314: Mode = { ...gil, id: 'cpython-3.14.0/gil', runtime: { ...gil.runtime, id: 'cpython-3.14.0' } };

  it('defaults to the first gil mode, else the first mode', () => {
    expect(resolveBaseMode([nogil, gil, other314]).id).toBe(gil.id);
    expect(resolveBaseMode([nogil, ftGil]).id).toBe(nogil.id);
  });

  it('refuses an unknown or ambiguous base with the modes listed', () => {
    expect(() => resolveBaseMode([gil, nogil], 'pypy')).toThrow(
      new BaseModeError(`no mode 'pypy' in this run (its modes: ${gil.id}, ${nogil.id})`),
    );
    expect(() => resolveBaseMode([gil, other314], 'gil')).toThrow(
      /matches 2 modes \(cpython-3.13.5\/gil, cpython-3.14.0\/gil\)/,
    );
    expect(resolveBaseMode([gil, other314], 'cpython-3.14.0/gil')).toBe(other314);
  });
});

describe('geometric means per category', () => {
  it('groups the rows by the suite’s benchmark categories, beside the overall mean, and prints them', () => {
    const results = [];
    let seed = 100;
    // objects: 2x slower; text: no change. The overall mean sits between them.
    for (const [benchmark, nogilNs] of [
      ['solver', 60],
      ['board', 80],
      ['regex', 40],
    ] as const) {
      const gilNs = benchmark === 'regex' ? 40 : nogilNs / 2;
      results.push(fixtureResult({ suite: 'st', benchmark, mode: gil, medianNs: gilNs, seed: seed++ }));
      results.push(fixtureResult({ suite: 'st', benchmark, mode: nogil, medianNs: nogilNs, seed: seed++ }));
    }
    const doc = fixtureRunDocument(results, [gil, nogil]);
    const categoryOf: Record<string, string> = { solver: 'objects', board: 'objects', regex: 'text' };
    for (const b of doc.suites[0]!.benchmarks) b.category = categoryOf[b.name];
    const byMode = compareRun(doc).suites[0]!.byMode[0]!;
    expect(byMode.categories!.map((c) => c.category)).toEqual(['objects', 'text']);
    const [objects, text] = byMode.categories!.map((c) => c.geometricMean!);
    expect(objects!.count).toBe(2);
    expect(objects!.value).toBeGreaterThan(1.8);
    expect(text!.value).toBeGreaterThan(0.9);
    expect(text!.value).toBeLessThan(1.1);
    expect(byMode.geometricMean!.value).toBeGreaterThan(text!.value);
    expect(byMode.geometricMean!.value).toBeLessThan(objects!.value);
    const report = formatRunComparison(compareRun(doc));
    expect(report).toMatch(/^ {2}objects\s+\d\.\d+× \[/m);
    expect(report).toMatch(/^ {2}text\s+\d\.\d+× \[/m);
    // A suite without categories has none.
    expect(compareRun(sampleRunDocument()).suites[0]!.byMode[0]!.categories).toBeUndefined();
  });
});
