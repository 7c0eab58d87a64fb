/**
 * SVG badges for a README (harness/format/badge.ts draws them, as export-site
 * does): the nogil/gil single-thread time of a machine's newest run, and the
 * open regressions of a machine or of all. Each names its figure in its
 * `<title>`, so it reads as text where the image does not show.
 *
 * @example
 * // ![single-thread](http://bench.example/badges/machines/1/single-thread.svg)
 * const res = await app.request('/badges/machines/1/single-thread.svg'); // image/svg+xml
 */
import type { Context } from 'hono';
import { z } from 'zod';
import { type Badge, badgeSvg, regressionsBadge, singleThreadBadge } from '../harness/format/badge.ts';
import { type ComparisonView, IdParam } from './contract/index.ts';
import { publishedHeaders } from './feeds.ts';
import type { AppDeps, RouteDef } from './routes.ts';
import { DomainError } from './services/index.ts';
import type { RunDetail } from './store/core/types.ts';

const SVG = 'image/svg+xml; charset=utf-8';

function svg(c: Context, deps: AppDeps, badge: Badge): Response {
  return c.body(badgeSvg(badge), 200, publishedHeaders(SVG, deps.isPublic));
}

async function machineOr404(deps: AppDeps, id: number) {
  const machine = await deps.repo.getMachine(id);
  if (!machine) throw new DomainError('not-found', `no machine ${id}`);
  return machine;
}

async function openRegressions(deps: AppDeps, machine?: number): Promise<number> {
  return deps.repo.countRegressions({ status: 'new', kind: 'regression', machine });
}

/** The newest run's single-thread suite, nogil against gil: the same comparison as `/runs/:id/compare`. */
async function singleThread(deps: AppDeps, machineId: number): Promise<Badge> {
  const [run] = await deps.repo.listRuns({ machine: machineId, limit: 1 });
  if (!run) return singleThreadBadge(null, null, 'no run yet');
  const base = run.modes.find((m) => m.mode === 'gil');
  const other = run.modes.find((m) => m.mode === 'nogil');
  if (!base || !other) return singleThreadBadge(null, null, 'newest run lacks gil or nogil');
  const answer = await deps.answers.get(`badge-single-thread|${run.id}`, [run.id], async () => {
    const detail: RunDetail | null = await deps.repo.getRun(run.id, { samples: true });
    if (!detail) throw new DomainError('not-found', `no run ${run.id}`);
    const side = (mode: typeof base) => ({
      label: mode.id,
      runId: detail.id,
      mode: { id: mode.id, mode: mode.mode },
      results: detail.results.filter((r) => r.mode === mode.id && r.suite === 'single-thread'),
    });
    return deps.compute.compare(side(base), side(other));
  });
  const view = JSON.parse(answer.text) as ComparisonView;
  const mean = view.suites.find((s) => s.suite === 'single-thread')?.geometricMean ?? null;
  return singleThreadBadge(mean, other.id.split('/')[0] ?? other.id, 'no single-thread results');
}

export const BADGE_ROUTES: readonly RouteDef[] = [
  {
    method: 'GET',
    path: '/badges/regressions.svg',
    access: 'read',
    summary: 'a badge: how many regressions of all machines are open (status new)',
    response: z.string(),
    contentType: SVG,
    success: 200,
    handler: async ({ c, deps }) => svg(c, deps, regressionsBadge(await openRegressions(deps))),
  },
  {
    method: 'GET',
    path: '/badges/machines/:id/regressions.svg',
    access: 'read',
    summary: "a badge: how many of a machine's regressions are open (status new)",
    params: IdParam,
    response: z.string(),
    contentType: SVG,
    success: 200,
    handler: async ({ c, deps, params }) => {
      const machine = await machineOr404(deps, (params as { id: number }).id);
      return svg(c, deps, regressionsBadge(await openRegressions(deps, machine.id), machine.hostname));
    },
  },
  {
    method: 'GET',
    path: '/badges/machines/:id/single-thread.svg',
    access: 'read',
    summary: "a badge: nogil/gil time on the single-thread suite (geometric mean, 95% CI) in a machine's newest run",
    params: IdParam,
    response: z.string(),
    contentType: SVG,
    success: 200,
    handler: async ({ c, deps, params }) => {
      const machine = await machineOr404(deps, (params as { id: number }).id);
      return svg(c, deps, await singleThread(deps, machine.id));
    },
  },
];
