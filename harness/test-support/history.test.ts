import { describe, expect, it } from 'vitest';
import { RunDocument } from '../schema.ts';
import { fixtureHistory, fixtureMachine, fixtureRun } from './history.ts';

describe('fixtures', () => {
  it('are valid run documents of realistic size', () => {
    const doc = RunDocument.parse(
      fixtureRun({ machine: fixtureMachine(1), seed: 1, startedAt: new Date('2025-06-01T00:00:00Z') }),
    );
    expect(doc.results.length).toBeGreaterThanOrEqual(60);
    for (const r of doc.results) {
      expect(r.samples.length).toBeGreaterThanOrEqual(30);
      expect(r.samples.length).toBeLessThanOrEqual(100);
    }
    expect(doc.modes.map((m) => m.mode)).toEqual(['gil', 'nogil', 'ft-gil']);
  });

  it('plant a step where asked and give each run its own id', () => {
    const docs = fixtureHistory({
      machine: fixtureMachine(1),
      runs: 4,
      step: { at: 2, factor: 2, match: (c) => c.benchmark === 'nbody' && c.mode.endsWith('/gil') },
    });
    const nbody = docs.map(
      (d) => d.results.find((r) => r.benchmark === 'nbody' && r.mode.endsWith('/gil'))!.stats!.median,
    );
    expect(nbody[2]! / nbody[1]!).toBeGreaterThan(1.8);
    expect(new Set(docs.map((d) => d.id)).size).toBe(4);
    expect(fixtureRun({ machine: fixtureMachine(2), seed: 1, startedAt: new Date() }).id).not.toBe(
      fixtureRun({ machine: fixtureMachine(3), seed: 1, startedAt: new Date() }).id,
    );
  });
});
