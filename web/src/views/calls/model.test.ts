import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SeededApi, seededApi, viewState } from '../../../test/api.ts';
import { loadCalls } from './load.ts';
import { callsModel } from './model.ts';

let seeded: SeededApi;
beforeAll(async () => {
  seeded = await seededApi();
});
afterAll(() => seeded?.close());

describe('calls and locks model', () => {
  it('draws ns per call by arity per mode, and reads by threads per mode and lock', async () => {
    const state = viewState({ machine: seeded.seed.machineA.id });
    const data = await loadCalls(seeded.api, state);
    const model = callsModel(data, state);
    expect(model.calls.map((c) => [c.id, c.title])).toEqual([['calls-0', 'calls/positional: ns per call by arity']]);
    const calls = model.calls[0]!;
    expect(calls.lines.map((l) => l.label)).toEqual(['gil', 'nogil', 'ft-gil']);
    expect(calls.lines[0]!.points.map((p) => p.x)).toEqual([0, 1, 2, 4]);
    expect(calls.lines.every((l) => l.lock === 'none')).toBe(true);
    // The writer parameter splits charts and leaves the legend; the lock kind tells lines apart.
    expect(model.locks.map((c) => [c.id, c.title])).toEqual([
      ['locks-1', 'locks/dict-read (writer=false): ns per read by threads'],
    ]);
    const labels = model.locks[0]!.lines.map((l) => l.label);
    expect(labels).toContain('nogil · lock=rlock');
    expect(model.locks[0]!.lines.find((l) => l.label === 'gil · lock=lock')?.lock).toBe('lock');
  });

  it('says which suite to measure when a run has neither', async () => {
    const state = viewState({ machine: seeded.seed.machineA.id });
    const data = await loadCalls(seeded.api, state);
    const model = callsModel({ ...data, run: { ...data.run!, results: [] } }, state);
    expect([model.calls, model.locks]).toEqual([[], []]);
    expect(model.noCalls.advice).toContainEqual({
      code: 'gilbench agent --server http://127.0.0.1:8080 --once --suite calls --mode gil,nogil,ft-gil',
    });
  });
});
