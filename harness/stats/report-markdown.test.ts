import { describe, expect, it } from 'vitest';
import { sampleRunDocument } from '../test-support/index.ts';
import { formatRunComparisonMarkdown } from './report.ts';
import { compareRun } from './run-comparison.ts';

describe('formatRunComparisonMarkdown()', () => {
  const comparison = compareRun(sampleRunDocument());
  const text = formatRunComparisonMarkdown(comparison);
  const lines = text.split('\n');

  it('writes one GFM table per suite and other mode: a header, a delimiter row, rows of as many cells', () => {
    const titles = lines.filter((l) => l.startsWith('### '));
    expect(titles).toContain('### single-thread: `cpython-3.13.5t/nogil` vs `cpython-3.13.5/gil`');
    for (const title of titles) {
      const at = lines.indexOf(title);
      const header = lines[at + 2]!;
      const delimiter = lines[at + 3]!;
      expect(header).toMatch(
        /^\| Benchmark \| cpython-3\.13\.5\/gil \| .* \| Ratio \[95% CI\] \| Change \| Significance \|$/,
      );
      expect(delimiter).toBe('| --- | ---: | ---: | ---: | ---: | ---: |');
      const cells = (row: string) => row.replace(/\\\|/g, '').split('|').length;
      let i = at + 4;
      while (lines[i]?.startsWith('|')) {
        expect(cells(lines[i]!), lines[i]).toBe(cells(header));
        i++;
      }
      expect(lines[i - 1]).toMatch(/^\| \*\*Geometric mean\*\* \|/);
    }
  });

  it('shows the ratio with its CI and significance in the cells', () => {
    const row = lines.find((l) => l.startsWith('| int-add |'))!;
    expect(row).toMatch(/\| 1\.\d\d× \[1\.\d\d, 1\.\d\d\] \| slower \| significant \(p<0\.001\) \|$/);
  });
});
