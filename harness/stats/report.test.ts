import { describe, expect, it } from 'vitest';
import { sampleRunDocument } from '../test-support/index.ts';
import { formatRunComparison } from './report.ts';
import { compareRun } from './run-comparison.ts';

describe('formatRunComparison()', () => {
  const comparison = compareRun(sampleRunDocument());
  const text = formatRunComparison(comparison);
  const lines = text.split('\n');
  const line = (start: string) => lines.find((l) => l.startsWith(start)) ?? '';

  it('prints one table per suite and other mode, with the modes in the title and header', () => {
    expect(lines[0]).toBe(`Run ${comparison.runId} (profile quick), base: cpython-3.13.5/gil`);
    expect(text).toContain('single-thread: cpython-3.13.5t/nogil vs cpython-3.13.5/gil');
    expect(text).toContain('scaling: cpython-3.13.5t/ft-gil vs cpython-3.13.5/gil');
    expect(line('Benchmark')).toMatch(
      /^Benchmark\s+cpython-3.13.5\/gil\s+cpython-3.13.5t\/nogil\s+Ratio \[95% CI\]\s+Change\s+Significance$/,
    );
  });

  it('shows values with margins, ratio with CI, direction and significance', () => {
    expect(line('int-add')).toMatch(
      /^int-add\s+\d\d\.\d ns ±[\d.]+%\s+\d\d\.\d ns ±[\d.]+%\s+1\.\d\d× \[1\.\d\d, 1\.\d\d\]\s+slower\s+significant \(p<0\.001\)$/,
    );
    expect(line('shared-dict-read[threads=4]')).toMatch(/0\.\d\d× \[0\.\d\d, 0\.\d\d\]\s+faster\s+significant/);
    expect(line('empty-body')).toMatch(/–\s+base median .* within noise of 0/);
  });

  it('marks rows that are not significant instead of hiding them', () => {
    expect(line('attr-read')).toMatch(/not significant \(p=[\d.]+\)$/);
  });

  it('ends each table with the geometric mean and lists the problems', () => {
    expect(line('Geometric mean')).toMatch(
      /^Geometric mean\s+1\.\d\d× \[1\.\d\d, 1\.\d\d\]\s+slower\s+significant; 2 cases, spread [\d.]+×/,
    );
    expect(text).toContain(
      'Problems:\n  checksum-mismatch: scaling/list-append[threads=2]: the modes computed different things',
    );
  });

  it('counts uncompared cases, and lists them with --all', () => {
    // The ft-gil scaling table is the last one; its threads=4 case failed.
    const ftGilScaling = lines.indexOf('scaling: cpython-3.13.5t/ft-gil vs cpython-3.13.5/gil');
    expect(ftGilScaling).toBeGreaterThan(0);
    expect(lines.slice(ftGilScaling).some((l) => l.startsWith('shared-dict-read[threads=4]'))).toBe(false);
    expect(text).toContain('(1 case not compared; --all lists them with the reason)');
    const all = formatRunComparison(comparison, { all: true }).split('\n');
    const row = all.slice(ftGilScaling).find((l) => l.startsWith('shared-dict-read[threads=4]'));
    expect(row).toMatch(
      /^shared-dict-read\[threads=4\]\s+-\s+-\s+–\s+cpython-3.13.5t\/ft-gil result is error: worker exited/,
    );
  });
});
