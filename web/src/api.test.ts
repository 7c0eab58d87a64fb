import { describe, expect, it } from 'vitest';
import { type HistoryColumns, pointsFromColumns } from './api.ts';

describe('pointsFromColumns', () => {
  it('turns the columns the server sends into one point per run, in order', () => {
    const columns: HistoryColumns = {
      runId: ['a', 'b'],
      at: [10, 20],
      status: ['ok', 'error'],
      n: [30, null],
      median: [1.5, null],
      ciLow: [1.25, null],
      ciHigh: [1.75, null],
    };
    expect(pointsFromColumns(columns)).toEqual([
      { runId: 'a', at: 10, status: 'ok', n: 30, median: 1.5, ciLow: 1.25, ciHigh: 1.75 },
      { runId: 'b', at: 20, status: 'error', n: null, median: null, ciLow: null, ciHigh: null },
    ]);
  });

  it('gives no points for empty columns', () => {
    const empty: HistoryColumns = { runId: [], at: [], status: [], n: [], median: [], ciLow: [], ciHigh: [] };
    expect(pointsFromColumns(empty)).toEqual([]);
  });
});
