/**
 * `GET /api/v1/runs/:id/summary.md`: a run's modes against one base as
 * GitHub-flavoured Markdown, for a pull-request comment. It is exactly what
 * `gilbench compare FILE --format markdown` prints for the uploaded
 * document (harness/stats/report.ts), computed in a pool thread and kept,
 * like every answer about a run, since runs never change.
 *
 * @example
 * curl -s http://127.0.0.1:8080/api/v1/runs/$RUN/summary.md?base=gil
 */
import { z } from 'zod';
import { BaseModeError, resolveBaseMode } from '../harness/stats/run-comparison.ts';
import { RunIdParam, SummaryQuery } from './contract/index.ts';
import { immutableJson, type RouteDef } from './routes.ts';
import { DomainError } from './services/index.ts';

const MARKDOWN = 'text/markdown; charset=utf-8';

export const SUMMARY_ROUTES: readonly RouteDef[] = [
  {
    method: 'GET',
    path: '/api/v1/runs/:id/summary.md',
    access: 'read',
    summary:
      "a run's modes against one base as Markdown tables per suite (what `gilbench compare --format markdown` prints)",
    params: RunIdParam,
    query: SummaryQuery,
    response: z.string(),
    contentType: MARKDOWN,
    success: 200,
    handler: async ({ c, deps, params, query }) => {
      const { id } = params as z.infer<typeof RunIdParam>;
      const { base } = query as z.infer<typeof SummaryQuery>;
      const answer = await deps.answers.get(`summary|${id}|${base ?? ''}`, [id], async () => {
        const doc = await deps.repo.getRunDocument(id);
        if (!doc) throw new DomainError('not-found', `no run ${id}`);
        let baseMode: string;
        try {
          baseMode = resolveBaseMode(doc.modes, base).id;
        } catch (err) {
          if (err instanceof BaseModeError) throw new DomainError('invalid', `run ${id}: ${err.message}`);
          throw err;
        }
        return deps.compute.summary(doc, baseMode);
      });
      return immutableJson(c, answer, deps.isPublic, MARKDOWN);
    },
  },
];
