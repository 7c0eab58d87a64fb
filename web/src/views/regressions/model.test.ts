import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SeededApi, seededApi, viewState } from '../../../test/api.ts';
import { loadRegressions } from './load.ts';
import { historyLinkParams, regressionsModel } from './model.ts';

let seeded: SeededApi;
beforeAll(async () => {
  seeded = await seededApi();
});
afterAll(() => seeded?.close());

async function modelOf(params: Record<string, string | number>, admin = false) {
  const state = viewState(params, admin ? { session: { public: true, role: 'admin', machineId: null } } : {});
  return regressionsModel(await loadRegressions(seeded.api, state), state);
}

describe('regressions model', () => {
  it('lists each change with its size, levels and a link to the history at the change', async () => {
    const model = await modelOf({});
    expect(model.rows).toHaveLength(1);
    const row = model.rows[0]!;
    expect(row.regression.id).toBe(seeded.seed.regressionId);
    expect(row.change).toBe('+8.0% slower');
    expect(row.changeCi).toBe(' [+5.0%, +11.0%]');
    expect(row.confidence).toBe('100%');
    expect(row.mode).toBe('nogil');
    expect(row.since).toEqual({ view: 'history', params: historyLinkParams(row.regression), text: row.since.text });
    expect(row.since.params).toMatchObject({ machine: seeded.seed.machineA.id, modes: row.regression.modeId });
    expect(model.signInHint).toBe(true);
    expect(model.isAdmin).toBe(false);
  });

  it('filters by status, kind and machine, and says what to do when nothing matches', async () => {
    expect((await modelOf({ status: 'fixed' })).empty?.title).toBe('No change matches these filters.');
    expect((await modelOf({ kind: 'improvement' })).rows).toHaveLength(0);
    const other = await modelOf({ machine: seeded.seed.machineB.id });
    expect(other.empty?.title).toBe('No change detected yet.');
    expect(other.filters.map((f) => f.value)).toEqual([String(seeded.seed.machineB.id), '', '']);
  });

  it('gives an admin the edit form and a static site no hint', async () => {
    const admin = await modelOf({}, true);
    expect([admin.isAdmin, admin.signInHint]).toEqual([true, false]);
    const state = viewState({}, { isStatic: true, session: null });
    const site = regressionsModel(await loadRegressions(seeded.api, state), state);
    expect([site.isAdmin, site.signInHint]).toEqual([false, false]);
  });

  it('links a change of a case with parameters to that case', () => {
    const r = {
      machineId: 3,
      suite: 'locks',
      benchmark: 'dict-read',
      params: { threads: 4, lock: 'rlock' },
      modeId: 'm',
      startedAt: 7,
    };
    expect(historyLinkParams(r as never)).toEqual({
      machine: 3,
      case: 'locks/dict-read[lock=rlock,threads=4]',
      modes: 'm',
      at: 7,
    });
  });
});
