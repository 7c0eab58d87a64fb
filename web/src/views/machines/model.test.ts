import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SeededApi, seededApi, viewState } from '../../../test/api.ts';
import { loadMachines } from './load.ts';
import { jobProgress, machinesModel } from './model.ts';

let seeded: SeededApi;
beforeAll(async () => {
  seeded = await seededApi();
});
afterAll(() => seeded?.close());

const ADMIN = { session: { public: true, role: 'admin' as const, machineId: null } };

describe('machines and runs model', () => {
  it('shows a machine, its runs and one run in detail', async () => {
    const run = seeded.seed.runsA[0]!;
    const state = viewState({ run: run.id });
    const page = machinesModel(await loadMachines(seeded.api, state), state).page!;
    expect(page.machineId).toBe(seeded.seed.machineA.id);
    expect(page.others.map((m) => m.link === null)).toEqual(
      [seeded.seed.machineA.id, seeded.seed.machineB.id].map((id) => id === page.machineId),
    );
    expect(page.metadata.find(([k]) => k === 'hostname')?.[1]).toBe(seeded.seed.machineA.facts.hostname);
    // The seed's machine declared nightly and was granted it (issue 14: declared labels are shown apart).
    expect(page.metadata.find(([k]) => k === 'declared labels')?.[1]).toBe('nightly');
    expect(page.metadata.find(([k]) => k === 'fingerprint')?.[1]).toEqual({
      code: seeded.seed.machineA.facts.fingerprint,
    });
    expect(page.runsTitle).toBe('Runs (3)');
    expect(page.run?.title).toBe(`Run ${run.id}`);
    expect(page.run?.results).toHaveLength(run.results.length);
    const names = page.run!.results.map((r) => r.benchmark);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
    // A public visitor is not shown jobs; the server would refuse them.
    expect(page.jobs).toMatchObject({ shown: false, rows: [] });
  });

  it('shows an admin the jobs, with the running one polled', async () => {
    const state = viewState({ machine: seeded.seed.machineA.id }, ADMIN);
    const page = machinesModel(await loadMachines(seeded.api, state), state).page!;
    expect(page.jobs?.shown).toBe(true);
    expect(page.jobs?.pending).toBe(true);
    const held = page.jobs!.rows.find((r) => r.id === String(seeded.seed.heldJobId))!;
    expect(held.status).toBe('running');
    expect(held.progress).toEqual({ kind: 'starting', jobId: seeded.seed.heldJobId });
  });

  it('leaves jobs out of an exported site', async () => {
    const state = viewState({}, { isStatic: true, session: null });
    expect(machinesModel(await loadMachines(seeded.api, state), state).page?.jobs).toBeNull();
  });

  it('writes a running job progress with how long ago it was reported', () => {
    const job = { id: 4, status: 'running', progress: { done: 3, total: 8, message: 'scaling', at: 0 } };
    expect(jobProgress(job as never, 5 * 60_000)).toEqual({
      kind: 'running',
      jobId: 4,
      done: 3,
      total: 8,
      message: 'scaling (5 min ago)',
    });
    expect(jobProgress({ id: 5, status: 'failed', error: 'boom' } as never, 0)).toEqual({ kind: 'note', text: 'boom' });
  });
});
