/**
 * `GET /feed.xml` and `GET /machines/:id/feed.xml`: the detected regressions
 * as Atom (harness/format/changes-feed.ts writes it, as export-site does),
 * newest first, with links that open the dashboard on this server (under
 * `--public-url` when given). Outside
 * `/api/` because feed readers and README links expect a plain file name.
 *
 * @example
 * const res = await app.request('/feed.xml'); // application/atom+xml
 */
import type { Context } from 'hono';
import { z } from 'zod';
import { regressionFeedXml } from '../harness/format/changes-feed.ts';
import { IdParam } from './contract/index.ts';
import { publicLink } from './public-url.ts';
import type { AppDeps, RouteDef } from './routes.ts';
import { DomainError } from './services/index.ts';

/** Entries in a feed: the newest changes (feed readers keep the older ones they saw). */
export const FEED_ENTRIES = 100;

/** How long a reader or proxy may keep a feed or badge before asking again (seconds). */
export const PUBLISHED_MAX_AGE = 300;

/**
 * Headers of a published file: its type, a short cache life (public only when the
 * server is), and nothing it could load or run.
 */
export function publishedHeaders(type: string, isPublic: boolean): Record<string, string> {
  return {
    'content-type': type,
    'cache-control': `${isPublic ? 'public' : 'private'}, max-age=${PUBLISHED_MAX_AGE}`,
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors *",
  };
}

/** The dashboard's and this request's absolute URLs: under `--public-url` when given, else the request's origin. */
function urlsOf(c: Context, deps: AppDeps): { siteUrl: string; selfUrl: string } {
  return {
    siteUrl: publicLink('/', c.req.url, deps.publicUrl),
    selfUrl: publicLink(c.req.path, c.req.url, deps.publicUrl),
  };
}

const ATOM = 'application/atom+xml; charset=utf-8';

async function feed(c: Context, deps: AppDeps, machineId?: number): Promise<Response> {
  const machine = machineId === undefined ? undefined : await deps.repo.getMachine(machineId);
  if (machine === null) throw new DomainError('not-found', `no machine ${machineId}`);
  const changes = await deps.repo.listRegressions({ kind: 'regression', machine: machineId, limit: FEED_ENTRIES });
  const xml = regressionFeedXml(changes, {
    ...urlsOf(c, deps),
    machine: machine ? { id: machine.id, hostname: machine.hostname } : undefined,
    now: deps.now(),
  });
  return c.body(xml, 200, publishedHeaders(ATOM, deps.isPublic));
}

export const FEED_ROUTES: readonly RouteDef[] = [
  {
    method: 'GET',
    path: '/feed.xml',
    access: 'read',
    summary: `the newest ${FEED_ENTRIES} regressions of every machine as an Atom feed`,
    response: z.string(),
    contentType: ATOM,
    success: 200,
    handler: ({ c, deps }) => feed(c, deps),
  },
  {
    method: 'GET',
    path: '/machines/:id/feed.xml',
    access: 'read',
    summary: `the newest ${FEED_ENTRIES} regressions of one machine as an Atom feed`,
    params: IdParam,
    response: z.string(),
    contentType: ATOM,
    success: 200,
    handler: ({ c, deps, params }) => feed(c, deps, (params as { id: number }).id),
  },
];
