/**
 * The upload's duplicate check keys cases the way the store does (harness's
 * caseKey), so a run cannot hold two results the store would file as one.
 */
import { describe, expect, it } from 'vitest';
import { buildResult, sampleRun, tempDir } from '../harness/test-support/index.ts';
import { openApp } from './app.ts';
import { runDocumentProblems } from './contract/run-document.ts';

describe('runDocumentProblems()', () => {
  it('keeps parameters that differ only as 1 and "1" apart: case keys know types (issue 14)', () => {
    const doc = sampleRun({ results: [buildResult({ params: { n: 1 } }), buildResult({ params: { n: '1' } })] });
    expect(runDocumentProblems(doc)).toEqual([]);
  });

  it('lets the same parameters in another order count as the same case', () => {
    const doc = sampleRun({
      results: [buildResult({ params: { a: 1, b: 2 } }), buildResult({ params: { b: 2, a: 1 } })],
    });
    expect(runDocumentProblems(doc)).toEqual(['results[1]: a second result for the same case and mode']);
  });

  it('refuses such an upload with a 400 and stores nothing', async () => {
    const { dir, remove } = tempDir('gilbench-routes-');
    const app = await openApp({ db: `${dir}/routes.db` });
    try {
      const { token } = await app.repo.createToken({ role: 'admin' }, Date.now());
      const doc = sampleRun({
        results: [buildResult({ params: { a: 1, b: 2 } }), buildResult({ params: { b: 2, a: 1 } })],
      });
      const answer = await app.request('/api/v1/runs', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(doc),
      });
      expect(answer.status).toBe(400);
      expect(await answer.json()).toEqual({
        error: 'invalid',
        detail: 'results[1]: a second result for the same case and mode',
      });
      expect(await app.repo.getRun(doc.id, { samples: false })).toBeNull();
    } finally {
      app.close();
      remove();
    }
  });
});
