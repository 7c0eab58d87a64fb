/**
 * The API's route table, as data: method, path, who may call it, the shapes
 * it validates, and its handler. The app (app.ts) registers exactly these;
 * the OpenAPI description (openapi.ts) and the authorisation matrix test are
 * generated from them, so a route cannot be added without its access rule.
 *
 * Access:
 * - `open`: anyone;
 * - `read`: admin and agent tokens, and anyone when the server runs `--public`;
 * - `operator`: admin and agent tokens (jobs and schedules; not public);
 * - `enroll`: enrollment and admin tokens, and an agent token (re-enrolling its own machine only);
 * - `agent`: agent and admin tokens; with `machineScoped`, an agent only for
 *   its own machine's resources (another machine's agent gets 403);
 * - `admin`: admin tokens.
 *
 * @example
 * for (const r of ROUTES) console.log(r.method, r.path, r.access);
 */
import type { Context } from 'hono';
import type { z } from 'zod';
import { resolveBaseMode } from '../harness/stats/run-comparison.ts';
import { BADGE_ROUTES } from './badges.ts';
import type { AnswerCache, CachedAnswer } from './cache/answers.ts';
import type { AnswerWarmer } from './cache/warm.ts';
import type { ComputePool } from './compute/pool.ts';
import {
  AnnotationBody,
  AnnotationPatch,
  AnnotationResponse,
  AnnotationsQuery,
  AnnotationsResponse,
  ClaimBody,
  ClaimResponse,
  CompareModesQuery,
  CompareRunsQuery,
  ComparisonView,
  CompleteBody,
  Deleted,
  EnrollBody,
  EnrollmentResponse,
  EnrollmentsQuery,
  EnrollmentsResponse,
  EnrollResponse,
  FailBody,
  HealthResponse,
  HeartbeatBody,
  HeartbeatResponse,
  HistoryQuery,
  HistoryResponse,
  IdParam,
  IngestResponse,
  JobBody,
  JobResponse,
  JobsQuery,
  JobsResponse,
  LocksResponse,
  MachinePatch,
  MachineResponse,
  MachinesResponse,
  type OpenApiDocument,
  OpenApiResponse,
  ProgressBody,
  RegressionPatch,
  RegressionResponse,
  RegressionsQuery,
  RegressionsResponse,
  RunDocument,
  RunIdParam,
  RunQuery,
  RunResponse,
  RunsQuery,
  RunsResponse,
  ScalingResponse,
  ScheduleBody,
  SchedulePatch,
  ScheduleResponse,
  SchedulesResponse,
  SeriesListResponse,
  SeriesQuery,
  SeriesResponse,
  SessionResponse,
  TokenBody,
  TokenCreated,
  TokenIdParam,
  TokenResponse,
  TokensResponse,
  TrendsQuery,
  TrendsResponse,
} from './contract/index.ts';
import type { Detection } from './detection.ts';
import { FEED_ROUTES } from './feeds.ts';
import { nextRunOf } from './scheduler.ts';
import { type Actor, DomainError, type Enroller, type Services } from './services/index.ts';
import type { RunDetail, RunInfo } from './store/core/types.ts';
import { SUMMARY_ROUTES } from './summaries.ts';
import { headlinesText, machineTrends } from './trends.ts';

export type Access = 'open' | 'read' | 'operator' | 'enroll' | 'agent' | 'admin';
export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** Who is calling: the token's role and, for an agent, its machine. */
export interface Principal {
  tokenId: string;
  role: 'admin' | 'enroll' | 'agent';
  machineId: number | null;
}

/** What handlers may use. */
export interface AppDeps {
  repo: Services;
  detection: Detection;
  isPublic: boolean;
  /** Where readers reach this server (`--public-url`), for absolute links; null: the request's origin. */
  publicUrl: string | null;
  now: () => number;
  /** Consumes one enrollment attempt of the caller; false when it must wait. */
  allowEnrollment: (c: Context) => boolean;
  version: string;
  openapi: () => OpenApiDocument;
  /** Answers about runs, computed once (runs never change). */
  answers: AnswerCache;
  /** Computes a new run's first-asked answers ahead of their readers, best-effort. */
  warmer: AnswerWarmer;
  /** Worker threads for heavy answers. */
  compute: ComputePool;
  /** Room left for writes (for /health). */
  storage: () => { freeBytes: number | null; low: boolean; writable: boolean };
  /** The upload queue's load (for /health). */
  ingest: () => { active: number; waiting: number; refused: number };
}

export interface HandlerContext<P, Q, B> {
  c: Context;
  deps: AppDeps;
  auth: Principal | null;
  params: P;
  query: Q;
  body: B;
}

export interface RouteDef<P = unknown, Q = unknown, B = unknown, R = unknown> {
  method: Method;
  /** hono path, e.g. `/api/v1/runs/:id`. */
  path: string;
  access: Access;
  /** For `agent` routes: the resource belongs to one machine. */
  machineScoped?: boolean;
  summary: string;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /**
   * Validates the parsed body faster than `body.safeParse` with the same verdict, data and
   * issues (`body` still documents the route).
   */
  parseBody?: (value: unknown) => z.ZodSafeParseResult<B>;
  /** Largest request body in bytes (default `DEFAULT_BODY_LIMIT`). */
  maxBody?: number;
  /** Through the bounded ingest queue (503 + Retry-After when it is full), before the body is read. */
  queued?: boolean;
  /**
   * The handler checks the body in a pool thread (uploads: `deps.compute.checkUpload`), so the
   * app's validator does not parse it on the event loop; `body` still documents the route.
   */
  bodyInPool?: boolean;
  /** The shape of a successful answer (server/contract); handlers send it with `reply`. */
  response: z.ZodType<R>;
  /** The media type of a successful answer when it is not JSON (a feed, a badge, Markdown). */
  contentType?: string;
  /** The status of a successful call (for the documentation; handlers set it). */
  success: 200 | 201;
  handler: (ctx: HandlerContext<P, Q, B>) => Promise<Response> | Response;
}

/** Sends a successful answer, typed by the route's response schema. */
export type Reply<R> = (body: R, status?: 200 | 201 | 202) => Response;

/** A route as written in the table: its handler gets `reply`, so an answer that drifts from the contract fails typecheck. */
interface TypedRoute<P, Q, B, S extends z.ZodType>
  extends Omit<RouteDef<P, Q, B, z.output<S>>, 'response' | 'handler'> {
  response: S;
  handler: (ctx: HandlerContext<P, Q, B> & { reply: Reply<z.output<S>> }) => Promise<Response> | Response;
}

export const DEFAULT_BODY_LIMIT = 64 * 1024;
export const RUN_BODY_LIMIT = 32 * 1024 * 1024;

const API = '/api/v1';

// Keeps each route's handler typed by its own schemas while the table stays one array.
function route<P = undefined, Q = undefined, B = undefined, S extends z.ZodType = z.ZodType>(
  def: TypedRoute<P, Q, B, S>,
): RouteDef {
  const { handler } = def;
  return {
    ...def,
    handler: (ctx: HandlerContext<P, Q, B>) =>
      handler({ ...ctx, reply: (body, status = 200) => ctx.c.json(body as object, status) }),
  } as unknown as RouteDef;
}

const notFound = (what: string): never => {
  throw new DomainError('not-found', what);
};

/** The actor of a job call: an admin, or the agent's machine. */
function actorOf(auth: Principal | null): Actor {
  return auth?.role === 'agent' ? { role: 'agent', machineId: auth.machineId! } : { role: 'admin' };
}

/** The machine an agent call is about: the agent's own, or (admin) the one named in the body. */
function machineFor(auth: Principal | null, named: number | undefined): number {
  if (auth?.role === 'agent') {
    if (named !== undefined && named !== auth.machineId) {
      throw new DomainError('forbidden', 'an agent token speaks for its own machine only');
    }
    return auth.machineId!;
  }
  if (named === undefined) throw new DomainError('invalid', 'an admin must name the machine (machineId)');
  return named;
}

async function runOr404(repo: Services, id: string, samples: boolean): Promise<RunDetail> {
  return (await repo.getRun(id, { samples })) ?? notFound(`no run ${id}`);
}

/** How long a client may keep an answer about runs (they never change; a deleted run's answers are dropped here). */
const IMMUTABLE_MAX_AGE = 31_536_000;

/**
 * Sends a cached answer with its strong ETag, as immutable (public only when
 * the server is); 304 when the client already holds it.
 */
export function immutableJson(
  c: Context,
  answer: CachedAnswer,
  isPublic: boolean,
  type = 'application/json',
): Response {
  const headers = {
    etag: answer.etag,
    'cache-control': `${isPublic ? 'public' : 'private'}, max-age=${IMMUTABLE_MAX_AGE}, immutable`,
    // Where it came from (memory, the store, computed now): API.md; how tests see "computed once".
    'x-gilbench-answer': answer.source,
  };
  const wanted = c.req.header('if-none-match');
  // The compression middleware marks the ETag of compressed bytes with their encoding.
  const held = (tag: string) => tag.trim().replace(/-(br|gzip)"$/, '"') === answer.etag;
  if (wanted?.split(',').some(held)) return c.body(null, 304, headers);
  return c.body(answer.text, 200, { ...headers, 'content-type': type });
}

/**
 * `GET /runs/:id/compare?base&other`: two modes of a run, from the answers (computed in the pool on a miss).
 * Keyed by the request as asked: a kept answer needs no read of the run at all.
 */
function compareModesAnswer(deps: AppDeps, id: string, base: string | undefined, other: string): Promise<CachedAnswer> {
  return deps.answers.get(`compare|${id}|${base ?? ''}|${other}`, [id], async () => {
    const run = await runOr404(deps.repo, id, true);
    const baseMode = base ? modeOf(run, base) : resolveBaseMode(run.modes);
    const otherMode = modeOf(run, other);
    const side = (mode: typeof baseMode) => ({
      label: mode.id,
      runId: run.id,
      mode: { id: mode.id, mode: mode.mode },
      results: run.results.filter((r) => r.mode === mode.id),
    });
    return deps.compute.compare(side(baseMode), side(otherMode));
  });
}

/** `GET /runs/:id/scaling`: the run's scaling curves, from the answers. */
function scalingAnswer(deps: AppDeps, id: string): Promise<CachedAnswer> {
  return deps.answers.get(`scaling|${id}`, [id], async () => {
    const run = await runOr404(deps.repo, id, true);
    return deps.compute.scaling(run);
  });
}

/** `GET /runs/:id/locks`: the run's lock costs against the lock-free reads, from the answers. */
function locksAnswer(deps: AppDeps, id: string): Promise<CachedAnswer> {
  return deps.answers.get(`locks|${id}`, [id], async () => {
    const run = await runOr404(deps.repo, id, true);
    return deps.compute.locks(run);
  });
}

/**
 * Queues, after a new run is stored, the answers a reader asks for first: its modes compared
 * as the dashboard asks by default (its first `gil` mode against its first `nogil` one, by id;
 * web/src/views/compare/model.ts chooseComparison), its scaling curves, lock costs and trend
 * headlines. Off the request path, in the pool, once uploads and readers' work are done.
 */
function warmRunAnswers(deps: AppDeps, run: RunInfo): void {
  const base = run.modes.find((m) => m.mode === 'gil') ?? run.modes[0];
  const other = run.modes.find((m) => m.mode === 'nogil') ?? run.modes.find((m) => m.id !== base?.id);
  const tasks = [
    ...(base && other && base.id !== other.id ? [() => compareModesAnswer(deps, run.id, base.id, other.id)] : []),
    () => scalingAnswer(deps, run.id),
    () => locksAnswer(deps, run.id),
    // Its trend point, so a long trend finds most of them kept.
    () => headlinesText(deps, run.id),
  ];
  // One offer per machine: a newer run of the machine replaces its offer that still waits.
  deps.warmer.offer(tasks, `machine ${run.machineId}`);
}

/** A mode of a run by id (`cpython-3.13.5t/nogil`) or name (`nogil`, when only one mode has it). */
function modeOf(run: RunDetail, wanted: string) {
  const byId = run.modes.find((m) => m.id === wanted);
  if (byId) return byId;
  const byName = run.modes.filter((m) => m.mode === wanted);
  if (byName.length === 1) return byName[0]!;
  throw new DomainError(
    'invalid',
    `run ${run.id} has no mode ${wanted} (it has ${run.modes.map((m) => m.id).join(', ')})`,
  );
}

export const ROUTES: readonly RouteDef[] = [
  route({
    method: 'GET',
    path: `${API}/health`,
    access: 'open',
    summary: 'liveness: the server answers and its database is open',
    response: HealthResponse,
    success: 200,
    handler: async ({ reply, deps }) =>
      reply({
        ok: true,
        version: deps.version,
        database: deps.repo.kind,
        storage: { ...deps.storage(), reachable: await deps.repo.databaseReachable() },
        answers: { warming: deps.warmer.pending() },
        ingest: deps.ingest(),
      }),
  }),
  route({
    method: 'GET',
    path: `${API}/openapi.json`,
    access: 'open',
    summary: 'this API described in OpenAPI 3.1',
    response: OpenApiResponse,
    success: 200,
    handler: ({ reply, deps }) => reply(deps.openapi()),
  }),
  route({
    method: 'GET',
    path: `${API}/session`,
    access: 'open',
    summary: "whether reads are public, and the presented token's role",
    response: SessionResponse,
    success: 200,
    handler: ({ reply, deps, auth }) =>
      reply({ public: deps.isPublic, role: auth?.role ?? null, machineId: auth?.machineId ?? null }),
  }),

  // ---------------------------------------------------------------- agents
  route({
    method: 'POST',
    path: `${API}/agents/enroll`,
    access: 'enroll',
    summary:
      "trade an enrollment token and a new machine's facts for its own agent token; for an enrolled fingerprint, a request an admin approves (202), or the machine's own agent token as proof",
    body: EnrollBody,
    response: EnrollResponse,
    success: 201,
    handler: async ({ c, reply, deps, auth, body }) => {
      if (!deps.allowEnrollment(c)) {
        return c.json({ error: 'rate-limited', detail: 'too many enrollments from this address; wait a minute' }, 429);
      }
      const by: Enroller =
        auth?.role === 'agent'
          ? { role: 'agent', machineId: auth.machineId! }
          : auth?.role === 'enroll'
            ? { role: 'enroll', tokenId: auth.tokenId }
            : { role: 'admin' };
      const { machine, token, request } = await deps.repo.enrollMachine(body.machine, deps.now(), by);
      // 202: the machine is enrolled already; the token works once an admin approves the request.
      return reply({ machineId: machine.id, token, machine, request }, request ? 202 : 201);
    },
  }),
  route({
    method: 'POST',
    path: `${API}/agents/heartbeat`,
    access: 'agent',
    machineScoped: true,
    summary: "the agent is alive; refreshes the machine's facts when sent",
    body: HeartbeatBody,
    response: HeartbeatResponse,
    success: 200,
    handler: async ({ reply, deps, auth, body }) => {
      const machineId = machineFor(auth, body.machineId);
      const machine = await deps.repo.heartbeat(machineId, body.machine ?? null, deps.now());
      return reply({ machine, now: deps.now() });
    },
  }),

  // -------------------------------------------------------------- machines
  route({
    method: 'GET',
    path: `${API}/machines`,
    access: 'read',
    summary: 'machines with their latest run, last contact, labels and metadata',
    response: MachinesResponse,
    success: 200,
    handler: async ({ reply, deps }) => reply({ machines: await deps.repo.listMachines() }),
  }),
  route({
    method: 'GET',
    path: `${API}/machines/:id`,
    access: 'read',
    summary: 'one machine',
    params: IdParam,
    response: MachineResponse,
    success: 200,
    handler: async ({ reply, deps, params }) =>
      reply({ machine: (await deps.repo.getMachine(params.id)) ?? notFound(`no machine ${params.id}`) }),
  }),
  route({
    method: 'GET',
    path: `${API}/machines/:id/trends`,
    access: 'read',
    summary:
      "a machine's newest runs with their headline numbers (single-thread overhead, memory, scaling against gil, call overhead, lock cost; 95% CIs) and runtimes, newest first",
    params: IdParam,
    query: TrendsQuery,
    response: TrendsResponse,
    success: 200,
    handler: async ({ reply, deps, params, query }) => reply(await machineTrends(deps, params.id, query.limit)),
  }),
  route({
    method: 'PATCH',
    path: `${API}/machines/:id`,
    access: 'admin',
    summary: "set a machine's granted labels, or grant some it declared (jobs go to machines granted all their labels)",
    params: IdParam,
    body: MachinePatch,
    response: MachineResponse,
    success: 200,
    handler: async ({ reply, deps, params, body }) =>
      reply({ machine: await deps.repo.setMachineLabels(params.id, body, deps.now()) }),
  }),
  route({
    method: 'GET',
    path: `${API}/enrollments`,
    access: 'admin',
    summary: 'requests to enroll a machine that is enrolled already, newest first (filter by status)',
    query: EnrollmentsQuery,
    response: EnrollmentsResponse,
    success: 200,
    handler: async ({ reply, deps, query }) =>
      reply({ requests: await deps.repo.listEnrollmentRequests(query.status) }),
  }),
  route({
    method: 'POST',
    path: `${API}/enrollments/:id/approve`,
    access: 'admin',
    summary: "approve a pending request: its token becomes the machine's agent token, the older ones are revoked",
    params: IdParam,
    response: EnrollmentResponse,
    success: 200,
    handler: async ({ reply, deps, params }) =>
      reply({ request: await deps.repo.decideEnrollment(params.id, 'approved', deps.now()) }),
  }),
  route({
    method: 'POST',
    path: `${API}/enrollments/:id/reject`,
    access: 'admin',
    summary: 'reject a pending request: nothing of the machine changes',
    params: IdParam,
    response: EnrollmentResponse,
    success: 200,
    handler: async ({ reply, deps, params }) =>
      reply({ request: await deps.repo.decideEnrollment(params.id, 'rejected', deps.now()) }),
  }),

  // ------------------------------------------------------------------ runs
  route({
    method: 'GET',
    path: `${API}/runs`,
    access: 'read',
    summary: 'runs, newest first (filter by machine; page with `before`)',
    query: RunsQuery,
    response: RunsResponse,
    success: 200,
    handler: async ({ reply, deps, query }) => reply({ runs: await deps.repo.listRuns(query) }),
  }),
  route({
    method: 'POST',
    path: `${API}/runs`,
    access: 'agent',
    machineScoped: true,
    summary: 'upload a run document; idempotent by run id (201 stored, 200 stored already)',
    body: RunDocument,
    bodyInPool: true,
    maxBody: RUN_BODY_LIMIT,
    queued: true,
    response: IngestResponse,
    success: 201,
    handler: async ({ c, reply, deps, auth }) => {
      // Parsed, validated and given its detector points off the event loop.
      const checked = await deps.compute.checkUpload(await c.req.arrayBuffer());
      if (!checked.ok) return c.json({ error: checked.error, detail: checked.detail }, checked.status);
      const { doc: body, points } = checked;
      if (auth?.role === 'agent') {
        const own = await deps.repo.getMachine(auth.machineId!);
        if (!own || own.fingerprint !== body.machine.fingerprint) {
          throw new DomainError('forbidden', "the run's machine fingerprint is not this agent's machine");
        }
      }
      const now = deps.now();
      const outcome = await deps.repo.ingestRun(body, { uploadedBy: auth?.tokenId ?? null, now, points });
      const regressions = outcome.created
        ? await deps.detection.afterIngest(outcome.seriesIds, outcome.runPk, now)
        : [];
      if (outcome.created) warmRunAnswers(deps, outcome.run);
      c.header('location', `${API}/runs/${body.id}`);
      return reply({ created: outcome.created, run: outcome.run, regressions }, outcome.created ? 201 : 200);
    },
  }),
  route({
    method: 'GET',
    path: `${API}/runs/:id`,
    access: 'read',
    summary: 'one run with its results (statistics; raw samples with ?samples=1)',
    params: RunIdParam,
    query: RunQuery,
    response: RunResponse,
    success: 200,
    handler: async ({ reply, deps, params, query }) =>
      reply({ run: await runOr404(deps.repo, params.id, query.samples ?? false) }),
  }),
  route({
    method: 'GET',
    path: `${API}/runs/:id/document`,
    access: 'read',
    summary: 'the run as the document that was uploaded (gilbench.run/v1)',
    params: RunIdParam,
    response: RunDocument,
    success: 200,
    handler: async ({ reply, deps, params }) =>
      reply((await deps.repo.getRunDocument(params.id)) ?? notFound(`no run ${params.id}`)),
  }),
  route({
    method: 'DELETE',
    path: `${API}/runs/:id`,
    access: 'admin',
    summary: 'delete a run, its results and the changes found at it',
    params: RunIdParam,
    response: Deleted,
    success: 200,
    handler: async ({ reply, deps, params }) => {
      const deleted = await deps.repo.deleteRun(params.id);
      deps.answers.forgetRun(params.id);
      return deleted ? reply({ deleted: true }) : notFound(`no run ${params.id}`);
    },
  }),
  route({
    method: 'GET',
    path: `${API}/runs/:id/compare`,
    access: 'read',
    summary: 'two modes of one run: other/base time ratio per case, CI, significance, geometric means',
    params: RunIdParam,
    query: CompareModesQuery,
    response: ComparisonView,
    success: 200,
    handler: async ({ c, deps, params, query }) =>
      immutableJson(c, await compareModesAnswer(deps, params.id, query.base, query.other), deps.isPublic),
  }),
  route({
    method: 'GET',
    path: `${API}/runs/:id/scaling`,
    access: 'read',
    summary: 'scaling curves: speedup N*T(1)/T(N) per workload and mode, from results with a `threads` parameter',
    params: RunIdParam,
    response: ScalingResponse,
    success: 200,
    handler: async ({ c, deps, params }) => immutableJson(c, await scalingAnswer(deps, params.id), deps.isPublic),
  }),
  route({
    method: 'GET',
    path: `${API}/runs/:id/locks`,
    access: 'read',
    summary:
      "lock costs: each locked (and thread-private) read's time against the lock-free read of the same case, per mode, writer and thread count, with 95% CIs",
    params: RunIdParam,
    response: LocksResponse,
    success: 200,
    handler: async ({ c, deps, params }) => immutableJson(c, await locksAnswer(deps, params.id), deps.isPublic),
  }),
  route({
    method: 'GET',
    path: `${API}/compare`,
    access: 'read',
    summary: 'one mode in two runs: other-run/base-run time ratio per case, CI, significance, geometric means',
    query: CompareRunsQuery,
    response: ComparisonView,
    success: 200,
    handler: async ({ c, deps, query }) => {
      const key = `compare-runs|${query.base}|${query.other}|${query.mode}`;
      const answer = await deps.answers.get(key, [query.base, query.other], async () => {
        const [base, other] = await Promise.all([
          runOr404(deps.repo, query.base, true),
          runOr404(deps.repo, query.other, true),
        ]);
        const side = (run: RunDetail) => {
          const mode = modeOf(run, query.mode);
          return {
            label: `${run.id.slice(0, 8)} (${new Date(run.startedAt).toISOString().slice(0, 10)})`,
            runId: run.id,
            mode: { id: mode.id, mode: mode.mode },
            results: run.results.filter((r) => r.mode === mode.id),
          };
        };
        return deps.compute.compare(side(base), side(other));
      });
      return immutableJson(c, answer, deps.isPublic);
    },
  }),

  // ---------------------------------------------------------------- series
  route({
    method: 'GET',
    path: `${API}/series`,
    access: 'read',
    summary: 'series by machine, suite, benchmark, case key and mode',
    query: SeriesQuery,
    response: SeriesListResponse,
    success: 200,
    handler: async ({ reply, deps, query }) =>
      reply({
        series: await deps.repo.listSeries({
          machine: query.machine,
          suite: query.suite,
          benchmark: query.benchmark,
          caseKey: query.case,
          mode: query.mode,
          limit: query.limit,
        }),
      }),
  }),
  route({
    method: 'GET',
    path: `${API}/series/:id`,
    access: 'read',
    summary: 'one series',
    params: IdParam,
    response: SeriesResponse,
    success: 200,
    handler: async ({ reply, deps, params }) =>
      reply({ series: (await deps.repo.getSeries(params.id)) ?? notFound(`no series ${params.id}`) }),
  }),
  route({
    method: 'GET',
    path: `${API}/series/:id/history`,
    access: 'read',
    summary:
      "a series' points as columns (one array each of run ids, times, statuses, n, medians and CIs) with the changes and notes in their range",
    params: IdParam,
    query: HistoryQuery,
    response: HistoryResponse,
    success: 200,
    handler: async ({ c, deps, params, query }) => {
      const text = (await deps.repo.seriesHistoryJson(params.id, query)) ?? notFound(`no series ${params.id}`);
      return c.body(text, 200, { 'content-type': 'application/json' });
    },
  }),

  // ----------------------------------------------------------- regressions
  route({
    method: 'GET',
    path: `${API}/regressions`,
    access: 'read',
    summary: 'changes found by the detector (regressions and improvements), newest first',
    query: RegressionsQuery,
    response: RegressionsResponse,
    success: 200,
    handler: async ({ reply, deps, query }) => {
      const [regressions, total] = await Promise.all([
        deps.repo.listRegressions(query),
        deps.repo.countRegressions(query),
      ]);
      return reply({ regressions, total });
    },
  }),
  route({
    method: 'GET',
    path: `${API}/regressions/:id`,
    access: 'read',
    summary: 'one change',
    params: IdParam,
    response: RegressionResponse,
    success: 200,
    handler: async ({ reply, deps, params }) =>
      reply({ regression: (await deps.repo.getRegression(params.id)) ?? notFound(`no regression ${params.id}`) }),
  }),
  route({
    method: 'PATCH',
    path: `${API}/regressions/:id`,
    access: 'admin',
    summary: 'set status (new, acknowledged, fixed, ignored) and note; acknowledging re-baselines the series',
    params: IdParam,
    body: RegressionPatch,
    response: RegressionResponse,
    success: 200,
    handler: async ({ reply, deps, params, body }) =>
      reply({ regression: await deps.repo.updateRegression(params.id, body, deps.now()) }),
  }),

  // ----------------------------------------------------------- annotations
  route({
    method: 'GET',
    path: `${API}/annotations`,
    access: 'read',
    summary: 'notes pinned to a time, a machine, a series or a run',
    query: AnnotationsQuery,
    response: AnnotationsResponse,
    success: 200,
    handler: async ({ reply, deps, query }) => reply({ annotations: await deps.repo.listAnnotations(query) }),
  }),
  route({
    method: 'POST',
    path: `${API}/annotations`,
    access: 'admin',
    summary: 'add a note (at a time, or at a run when only runId is given)',
    body: AnnotationBody,
    response: AnnotationResponse,
    success: 201,
    handler: async ({ reply, deps, body }) =>
      reply({ annotation: await deps.repo.createAnnotation(body, deps.now()) }, 201),
  }),
  route({
    method: 'PATCH',
    path: `${API}/annotations/:id`,
    access: 'admin',
    summary: 'change a note',
    params: IdParam,
    body: AnnotationPatch,
    response: AnnotationResponse,
    success: 200,
    handler: async ({ reply, deps, params, body }) =>
      reply({ annotation: await deps.repo.updateAnnotation(params.id, body, deps.now()) }),
  }),
  route({
    method: 'DELETE',
    path: `${API}/annotations/:id`,
    access: 'admin',
    summary: 'delete a note',
    params: IdParam,
    response: Deleted,
    success: 200,
    handler: async ({ reply, deps, params }) =>
      (await deps.repo.deleteAnnotation(params.id)) ? reply({ deleted: true }) : notFound(`no annotation ${params.id}`),
  }),

  // ------------------------------------------------------------- schedules
  route({
    method: 'GET',
    path: `${API}/schedules`,
    access: 'operator',
    summary: 'cron schedules that make jobs',
    response: SchedulesResponse,
    success: 200,
    handler: async ({ reply, deps }) => {
      const now = deps.now();
      const all = await deps.repo.listSchedules();
      return reply({ schedules: all.map((s) => ({ ...s, nextRun: s.enabled ? nextRunOf(s, now) : null })) });
    },
  }),
  route({
    method: 'POST',
    path: `${API}/schedules`,
    access: 'admin',
    summary: 'add a schedule: cron expression, suites, modes, machine labels',
    body: ScheduleBody,
    response: ScheduleResponse,
    success: 201,
    handler: async ({ reply, deps, body }) => {
      const now = deps.now();
      const s = await deps.repo.createSchedule(body, now);
      return reply({ schedule: { ...s, nextRun: nextRunOf(s, now) } }, 201);
    },
  }),
  route({
    method: 'GET',
    path: `${API}/schedules/:id`,
    access: 'operator',
    summary: 'one schedule',
    params: IdParam,
    response: ScheduleResponse,
    success: 200,
    handler: async ({ reply, deps, params }) => {
      const s = (await deps.repo.getSchedule(params.id)) ?? notFound(`no schedule ${params.id}`);
      return reply({ schedule: { ...s, nextRun: s.enabled ? nextRunOf(s, deps.now()) : null } });
    },
  }),
  route({
    method: 'PATCH',
    path: `${API}/schedules/:id`,
    access: 'admin',
    summary: 'change a schedule',
    params: IdParam,
    body: SchedulePatch,
    response: ScheduleResponse,
    success: 200,
    handler: async ({ reply, deps, params, body }) => {
      const now = deps.now();
      const s = await deps.repo.updateSchedule(params.id, body, now);
      return reply({ schedule: { ...s, nextRun: s.enabled ? nextRunOf(s, now) : null } });
    },
  }),
  route({
    method: 'DELETE',
    path: `${API}/schedules/:id`,
    access: 'admin',
    summary: 'delete a schedule (its jobs stay)',
    params: IdParam,
    response: Deleted,
    success: 200,
    handler: async ({ reply, deps, params }) =>
      (await deps.repo.deleteSchedule(params.id)) ? reply({ deleted: true }) : notFound(`no schedule ${params.id}`),
  }),

  // ------------------------------------------------------------------ jobs
  route({
    method: 'GET',
    path: `${API}/jobs`,
    access: 'operator',
    summary: 'jobs with their status and live progress, newest first',
    query: JobsQuery,
    response: JobsResponse,
    success: 200,
    handler: async ({ reply, deps, query }) => reply({ jobs: await deps.repo.listJobs(query) }),
  }),
  route({
    method: 'POST',
    path: `${API}/jobs`,
    access: 'admin',
    summary: 'ask for a run by hand',
    body: JobBody,
    response: JobResponse,
    success: 201,
    handler: async ({ reply, deps, body }) => reply({ job: await deps.repo.createJob(body, deps.now()) }, 201),
  }),
  route({
    method: 'GET',
    path: `${API}/jobs/:id`,
    access: 'operator',
    summary: 'one job',
    params: IdParam,
    response: JobResponse,
    success: 200,
    handler: async ({ reply, deps, params }) =>
      reply({ job: (await deps.repo.getJob(params.id)) ?? notFound(`no job ${params.id}`) }),
  }),
  route({
    method: 'POST',
    path: `${API}/jobs/claim`,
    access: 'agent',
    machineScoped: true,
    summary: 'claim the oldest queued job this machine may run, under a lease ({job: null} when none)',
    body: ClaimBody,
    response: ClaimResponse,
    success: 200,
    handler: async ({ reply, deps, auth, body }) => {
      const machineId = machineFor(auth, body.machineId);
      // Expired leases go back first; granted labels only, the lease capped (the job service's rules).
      return reply({ job: await deps.repo.claimJob(machineId, body.leaseSeconds, deps.now()) });
    },
  }),
  route({
    method: 'POST',
    path: `${API}/jobs/:id/progress`,
    access: 'agent',
    machineScoped: true,
    summary: 'report progress of a held job; renews its lease',
    params: IdParam,
    body: ProgressBody,
    response: JobResponse,
    success: 200,
    handler: async ({ reply, deps, auth, params, body }) =>
      reply({ job: await deps.repo.progressJob(params.id, actorOf(auth), body, deps.now()) }),
  }),
  route({
    method: 'POST',
    path: `${API}/jobs/:id/complete`,
    access: 'agent',
    machineScoped: true,
    summary: 'finish a held job with the id of the uploaded run',
    params: IdParam,
    body: CompleteBody,
    response: JobResponse,
    success: 200,
    handler: async ({ reply, deps, auth, params, body }) => {
      // The run must answer this job. Checked only for a job the caller may finish, so
      // not-found, forbidden and conflict answers stay the store's (completeJob's).
      const job = await deps.repo.getJob(params.id);
      const run = await deps.repo.getRun(body.runId);
      if (job?.status === 'running' && run && (auth?.role !== 'agent' || job.claimedBy === auth.machineId)) {
        if (run.jobId !== String(job.id)) {
          throw new DomainError(
            'invalid',
            `run ${run.id} was made for ${run.jobId === null ? 'no job' : `job ${run.jobId}`}, not job ${job.id}; complete a job with the run made for it`,
          );
        }
      }
      return reply({ job: await deps.repo.completeJob(params.id, actorOf(auth), body.runId, deps.now()) });
    },
  }),
  route({
    method: 'POST',
    path: `${API}/jobs/:id/fail`,
    access: 'agent',
    machineScoped: true,
    summary: 'give up a held job: failed, or back to the queue with requeue: true',
    params: IdParam,
    body: FailBody,
    response: JobResponse,
    success: 200,
    handler: async ({ reply, deps, auth, params, body }) =>
      reply({ job: await deps.repo.failJob(params.id, actorOf(auth), body, deps.now()) }),
  }),
  route({
    method: 'POST',
    path: `${API}/jobs/:id/cancel`,
    access: 'admin',
    summary: 'cancel a queued or running job',
    params: IdParam,
    response: JobResponse,
    success: 200,
    handler: async ({ reply, deps, params }) => reply({ job: await deps.repo.cancelJob(params.id, deps.now()) }),
  }),

  // ---------------------------------------------------------------- tokens
  route({
    method: 'GET',
    path: `${API}/tokens`,
    access: 'admin',
    summary: 'tokens (never their secrets)',
    response: TokensResponse,
    success: 200,
    handler: async ({ reply, deps }) => reply({ tokens: await deps.repo.listTokens() }),
  }),
  route({
    method: 'POST',
    path: `${API}/tokens`,
    access: 'admin',
    summary: 'make an admin or enrollment token; the token is shown in this answer only',
    body: TokenBody,
    response: TokenCreated,
    success: 201,
    handler: async ({ reply, deps, body }) => {
      const { token, info } = await deps.repo.createToken(body, deps.now());
      return reply({ token, info }, 201);
    },
  }),
  route({
    method: 'DELETE',
    path: `${API}/tokens/:id`,
    access: 'admin',
    summary: 'revoke a token',
    params: TokenIdParam,
    response: TokenResponse,
    success: 200,
    handler: async ({ reply, deps, params }) => reply({ token: await deps.repo.revokeToken(params.id, deps.now()) }),
  }),
  // ---------------------------------------- published files: feeds, badges
  ...SUMMARY_ROUTES,
  ...FEED_ROUTES,
  ...BADGE_ROUTES,
];
