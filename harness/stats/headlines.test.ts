import { describe, expect, it } from 'vitest';
import type { Mode, RunDocument } from '../schema.ts';
import {
  FIXTURE_CASES,
  FIXTURE_MODES,
  fixtureMachine,
  fixtureResult,
  fixtureRun,
  fixtureRunDocument,
} from '../test-support/index.ts';
import { compareResults } from './compare.ts';
import { comparedForHeadlines, type HeadlineRow, headlineModes, runHeadlines } from './headlines.ts';
import type { StoredResultLike } from './types.ts';

/** A run's results as the server serves them, and its nogil-against-gil rows. */
function inputOf(doc: RunDocument) {
  const kind = new Map(doc.modes.map((m) => [m.id, m.mode]));
  const results: StoredResultLike[] = doc.results.map((r) => ({ ...r, modeKind: kind.get(r.mode)! }));
  const { gil, nogil } = headlineModes(doc.modes);
  const rows: HeadlineRow[] = [];
  for (const b of comparedForHeadlines(doc.results.filter((r) => r.mode === gil?.id))) {
    const o = doc.results.find(
      (r) =>
        r.mode === nogil?.id && r.benchmark === b.benchmark && JSON.stringify(r.params) === JSON.stringify(b.params),
    );
    if (o) rows.push({ suite: b.suite, benchmark: b.benchmark, params: b.params, ...compareResults(b, o) });
  }
  return { modes: doc.modes, results, comparison: gil && nogil ? rows : null };
}

const run = (opts: Partial<Parameters<typeof fixtureRun>[0]> = {}) =>
  fixtureRun({ machine: fixtureMachine(1), seed: 3, startedAt: new Date('2025-06-01T02:00:00Z'), ...opts });

describe('runHeadlines', () => {
  it('reads overhead from the single-thread suite only, and every suite when the run has none', () => {
    const h = runHeadlines(inputOf(run()));
    expect(h.overhead?.scope).toBe('single-thread');
    expect(h.overhead?.count).toBe(FIXTURE_CASES.filter((c) => c.suite === 'single-thread').length);
    // The fixture's free-threaded build is 1.1x to 1.4x slower on one thread.
    expect(h.overhead!.value).toBeGreaterThan(1.05);
    expect(h.overhead!.ciLow).toBeLessThan(h.overhead!.value);
    const without = runHeadlines(inputOf(run({ cases: FIXTURE_CASES.filter((c) => c.suite !== 'single-thread') })));
    expect(without.overhead?.scope).toBe('all');
    expect(without.overhead?.count).toBeGreaterThan(5);
  });

  it('counts calls on one thread per kind and arity, and memory over the cases with both RSS', () => {
    const h = runHeadlines(inputOf(run()));
    expect(h.calls?.count).toBe(FIXTURE_CASES.filter((c) => c.suite === 'calls').length);
    expect(h.memory?.count).toBe(FIXTURE_CASES.length);
    expect(h.memory!.value).toBeGreaterThan(0.5);
  });

  it('gives scaling at the most threads against gil on one thread, from the scaling suite', () => {
    const [gil, nogil] = FIXTURE_MODES as [Mode, Mode];
    let seed = 1;
    const at = (suite: string, mode: Mode, threads: number, medianNs: number) =>
      fixtureResult({ suite, benchmark: 'w', params: { threads }, mode, medianNs, seed: seed++, sigma: 0.01 });
    const results = [
      at('scaling', gil, 1, 100),
      at('scaling', gil, 2, 200),
      at('scaling', nogil, 1, 110),
      at('scaling', nogil, 2, 115),
      // Another suite's threaded case (4 threads) is not the scaling headline's.
      at('locks', gil, 1, 100),
      at('locks', nogil, 4, 50),
    ];
    const h = runHeadlines(inputOf(fixtureRunDocument(results, [gil, nogil])));
    expect(h.scaling?.threads).toBe(2);
    expect(h.scaling?.count).toBe(1);
    // 2 threads x 100 ns (gil, 1 thread) / 115 ns (nogil, per thread at 2).
    expect(h.scaling!.value).toBeCloseTo((2 * 100) / 115, 1);
    expect(h.scaling!.ciLow).toBeLessThan(h.scaling!.value);
    expect(h.scaling!.ciHigh).toBeGreaterThan(h.scaling!.value);
  });

  it('gives lock cost per mode at the most threads without a writer', () => {
    const h = runHeadlines(inputOf(run()));
    expect(h.locks?.threads).toBe(4);
    expect(h.locks?.gil?.count).toBe(1);
    expect(h.locks?.nogil?.count).toBe(1);
    // Only a writer's cases: no headline.
    const writerOnly = FIXTURE_CASES.filter((c) => c.suite === 'locks').map((c) => ({
      ...c,
      params: { ...c.params, writer: true },
    }));
    expect(runHeadlines(inputOf(run({ cases: writerOnly }))).locks).toBeNull();
  });

  it('leaves out what a run without nogil cannot say', () => {
    const doc = run();
    const gilOnly = { ...doc, modes: doc.modes.filter((m) => m.mode === 'gil') };
    gilOnly.results = doc.results.filter((r) => r.mode === gilOnly.modes[0]!.id);
    const h = runHeadlines(inputOf(gilOnly));
    expect(h).toMatchObject({ overhead: null, memory: null, scaling: null, calls: null });
    expect(h.locks?.nogil).toBeNull();
    expect(h.locks?.gil).not.toBeNull();
  });
});
