/**
 * Valid-but-extreme run documents (extreme.ts) against every read route of
 * the route table: each is stored, and each GET a reader can make of it
 * answers without a 5xx, with a body its contract accepts.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../harness/test-support/temp.ts';
import { type GilbenchApp, openApp } from '../app.ts';
import { ComparisonView, LocksResponse, RunDocument, ScalingResponse } from '../contract/index.ts';
import { fixtureMachine, openServices } from '../test-support/index.ts';
import { EXTREME_FAMILIES, extremeRuns } from './extreme.ts';

const machine = fixtureMachine(41);
const runs = extremeRuns(machine);
let app: GilbenchApp;
let temp: { dir: string; remove: () => void };

beforeAll(async () => {
  temp = tempDir('gilbench-extreme-');
  const file = join(temp.dir, 'extreme.db');
  const repo = await openServices(file);
  await repo.enrollMachine(machine, Date.now());
  for (const { doc } of runs) await repo.ingestRun(RunDocument.parse(doc), { uploadedBy: null, now: Date.now() });
  await repo.close();
  app = await openApp({ db: file, public: true, log: () => {} });
});
afterAll(async () => {
  await app?.close();
  temp?.remove();
});

async function get(path: string): Promise<{ status: number; body: unknown }> {
  const response = await app.request(path);
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

describe('valid-but-extreme run documents', () => {
  it('has a document for every family, each one the run schema accepts', () => {
    expect(runs.map((r) => r.family)).toEqual(Object.keys(EXTREME_FAMILIES));
    for (const { doc } of runs) expect(RunDocument.safeParse(doc).success).toBe(true);
  });

  it.each(runs.map((r) => [r.family, r.doc] as const))('%s: every read of the run answers 200', async (_, doc) => {
    const modes = doc.modes.map((m) => m.id);
    for (const path of [`/api/v1/runs/${doc.id}`, `/api/v1/runs/${doc.id}/document`]) {
      expect((await get(path)).status, path).toBe(200);
    }
    for (const base of modes) {
      for (const other of modes) {
        const path = `/api/v1/runs/${doc.id}/compare?base=${encodeURIComponent(base)}&other=${encodeURIComponent(other)}`;
        const answer = await get(path);
        expect(answer.status, `${path}: ${JSON.stringify(answer.body)}`).toBe(200);
        const view = ComparisonView.parse(answer.body);
        // A ratio that cannot be formed is a row with a reason; one that can is finite and > 0.
        for (const row of view.rows) {
          if (row.ratio === null) expect(row.reason).toBeTruthy();
          else
            expect(row.ratio > 0 && Number.isFinite(row.ratio) && row.ciLow! > 0 && row.ciHigh! >= row.ciLow!).toBe(
              true,
            );
        }
      }
    }
    const scaling = await get(`/api/v1/runs/${doc.id}/scaling`);
    expect(scaling.status).toBe(200);
    ScalingResponse.parse(scaling.body);
    const locks = await get(`/api/v1/runs/${doc.id}/locks`);
    expect(locks.status).toBe(200);
    LocksResponse.parse(locks.body);
  });

  it('compares every extreme run with every other, mode by mode, without a 5xx', async () => {
    for (const a of runs) {
      for (const b of runs) {
        const path = `/api/v1/compare?base=${a.doc.id}&other=${b.doc.id}&mode=${encodeURIComponent(a.doc.modes[0]!.id)}`;
        const answer = await get(path);
        expect(answer.status, `${a.family} vs ${b.family}: ${JSON.stringify(answer.body)}`).toBe(200);
      }
    }
  });

  it('answers every series, its history and the lists that contain the runs', async () => {
    const list = await get(`/api/v1/series?limit=1000`);
    expect(list.status).toBe(200);
    const series = (list.body as { series: Array<{ id: number }> }).series;
    expect(series.length).toBeGreaterThan(0);
    for (const s of series) {
      for (const path of [`/api/v1/series/${s.id}`, `/api/v1/series/${s.id}/history`]) {
        expect((await get(path)).status, path).toBe(200);
      }
    }
    for (const path of [
      '/api/v1/runs',
      '/api/v1/machines',
      '/api/v1/regressions',
      '/api/v1/annotations',
      '/api/v1/health',
    ]) {
      expect((await get(path)).status, path).toBe(200);
    }
  });
});
