import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SeededApi, seededApi, viewState } from '../../../test/api.ts';
import { loadLocks } from './load.ts';
import { locksModel } from './model.ts';

let seeded: SeededApi;
beforeAll(async () => {
  seeded = await seededApi();
});
afterAll(() => seeded?.close());

describe('locks model', () => {
  it('heads each mode with and without a writer, and draws one chart per read kind', async () => {
    const state = viewState({ machine: seeded.seed.machineA.id });
    const data = await loadLocks(seeded.api, state);
    const model = locksModel(data, state);
    expect(data.costs.length).toBeGreaterThan(0);
    expect(model.controls.map((c) => c.name)).toEqual(['machine', 'run']);
    const kinds = [...new Set(data.costs.map((c) => c.kind))];
    expect(model.charts.map((c) => c.kind)).toEqual([...kinds].sort());
    expect(model.charts[0]!.bars.length).toBeGreaterThan(0);
    expect(model.rows.map((r) => r.writer)).toContain('no writer');
    expect(model.rows[0]!.cells.map((c) => c.lock)).toEqual(['lock', 'rlock', 'private']);
    expect(model.headline[0]).toMatch(
      /^\w[\w-]*: a Lock around a read costs [\d.]+× the lock-free read at \d+ threads/,
    );
  });

  it('says when the run has nothing to compare', async () => {
    const state = viewState({ machine: seeded.seed.machineA.id });
    const data = await loadLocks(seeded.api, state);
    expect(locksModel({ ...data, costs: [] }, state).empty?.title).toBe(
      'This run has no lock-free and locked read to compare.',
    );
  });
});
