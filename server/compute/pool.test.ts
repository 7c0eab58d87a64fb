import { afterAll, describe, expect, it } from 'vitest';
import { scalingCurves } from '../../harness/stats/scaling.ts';
import { buildResult, lognormalSamples } from '../../harness/test-support/index.ts';
import { asResult, type ComparisonSide, compareSides } from '../compare.ts';
import { createDetector } from '../detector/detector.ts';
import { pointsOf } from '../services/ingest.ts';
import type { ResultRow } from '../store/core/types.ts';
import { fixtureHistory, fixtureMachine } from '../test-support/index.ts';
import { createComputePool, Overloaded } from './pool.ts';

function side(label: string, mode: string, n: number, level: number): ComparisonSide {
  const samples = lognormalSamples({ seed: level, n, medianNs: level, sigma: 0.02 });
  const result = buildResult({ mode, samples, loopCostNs: 0 });
  const row = { ...result, caseKey: '', caseId: 1 } as unknown as ResultRow;
  return { label, runId: 'r', mode: { id: mode, mode: mode.endsWith('/gil') ? 'gil' : 'nogil' }, results: [row] };
}

const bytesOf = (text: string) => new TextEncoder().encode(text).buffer as ArrayBuffer;

const pools: Array<ReturnType<typeof createComputePool>> = [];
afterAll(async () => {
  for (const p of pools) await p.close();
});

describe('createComputePool()', () => {
  it('answers exactly what compareSides answers, as JSON text', async () => {
    const pool = createComputePool({ threads: 1 });
    pools.push(pool);
    const a = side('gil', 'cpython-3.13.5/gil', 200, 1000);
    const b = side('nogil', 'cpython-3.13.5t/nogil', 200, 1300);
    expect(JSON.parse(await pool.compare(a, b))).toEqual(JSON.parse(JSON.stringify(compareSides(a, b))));
  }, 60_000);

  it("answers a run's scaling curves exactly as scalingCurves does", async () => {
    const pool = createComputePool({ threads: 1 });
    pools.push(pool);
    const [doc] = fixtureHistory({ machine: fixtureMachine(1), runs: 1 });
    const results = doc!.results.map((r, i) => ({ ...r, caseKey: '', caseId: i }) as unknown as ResultRow);
    const curves = scalingCurves({ results: results.map(asResult) });
    expect(curves.length).toBeGreaterThan(0);
    expect(JSON.parse(await pool.scaling({ id: doc!.id, results }))).toEqual(
      JSON.parse(JSON.stringify({ runId: doc!.id, curves })),
    );
  }, 60_000);

  it('a task past its time budget is Overloaded, with when to retry, and the pool goes on', async () => {
    const pool = createComputePool({ threads: 1, timeoutMs: 20 });
    pools.push(pool);
    const a = side('gil', 'cpython-3.13.5/gil', 100_000, 1000);
    const b = side('nogil', 'cpython-3.13.5t/nogil', 100_000, 1300);
    const err = await pool.compare(a, b).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Overloaded);
    expect((err as Overloaded).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(pool.load()).toEqual({ running: 0, queued: 0 });
  }, 60_000);

  it('checks an upload in its own thread: the document with its points, or the answer that refuses it', async () => {
    const pool = createComputePool({ threads: 1 });
    pools.push(pool);
    const [doc] = fixtureHistory({ machine: fixtureMachine(1), runs: 1 });
    const checked = await pool.checkUpload(bytesOf(JSON.stringify(doc)));
    expect(checked).toEqual({ ok: true, doc, points: pointsOf(doc!) });
    expect(await pool.checkUpload(bytesOf('{"schema": '))).toEqual({
      ok: false,
      status: 400,
      error: 'bad-request',
      detail: 'Malformed JSON in request body',
    });
    const refused = await pool.checkUpload(bytesOf(JSON.stringify({ ...doc, finishedAt: '2000-01-01T00:00:00Z' })));
    expect(refused).toEqual({ ok: false, status: 400, error: 'invalid', detail: 'finishedAt is before startedAt' });
  }, 60_000);

  it('runs the detector in an upload thread with the answer it gives inline', async () => {
    const pool = createComputePool({ threads: 1 });
    pools.push(pool);
    const detector = createDetector();
    // Thirty points at 100 ns, then ten at 120 ns: one change; and a flat window: none.
    const step = Array.from({ length: 40 }, (_, i) => ({
      level: (i < 30 ? 100 : 120) * (1 + 0.003 * Math.sin(i)),
      rse: 0.005,
    }));
    const flat = step.slice(0, 30);
    const windows = [step, flat].map((points) => ({ points, boundaries: [], skip: new Set<number>() }));
    const inline = windows.map((w) => detector.detect(w.points, { boundaries: w.boundaries, skip: w.skip }));
    expect(inline[0]).not.toBeNull();
    expect(inline[1]).toBeNull();
    expect(await pool.detect({ options: { ...detector.options }, windows })).toEqual(inline);
  }, 60_000);

  it('checks its options when made', () => {
    expect(() => createComputePool({ threads: 0 })).toThrow(RangeError);
    expect(() => createComputePool({ uploadThreads: 0 })).toThrow(RangeError);
    expect(() => createComputePool({ maxQueue: -1 })).toThrow(RangeError);
    expect(() => createComputePool({ timeoutMs: 0 })).toThrow(RangeError);
  });
});
