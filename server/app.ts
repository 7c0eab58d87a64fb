/**
 * The server's hono app: the route table (routes.ts) wired with
 * authentication, rate limits, body size limits, zod validation, safe headers
 * and JSON errors; the dashboard's routes when the wiring room hands them in
 * (the server never loads the web's code itself). The app holds no
 * state beyond the services it is given, so tests build one per database.
 *
 * Every error a caller can cause is a 4xx with `{error, detail}`; any other
 * failure is a 500 whose body names a reference to the server log, never a
 * stack trace or a token.
 *
 * @example
 * const app = await openApp({ db: 'gilbench.db' });
 * const res = await app.request('/api/v1/machines', { headers: { authorization: `Bearer ${token}` } });
 */
import { isUtf8 } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { readFileSync, statfsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { getConnInfo } from '@hono/node-server/conninfo';
import { zValidator } from '@hono/zod-validator';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { createClientAddress, parseTrustedProxies } from './auth/client-address.ts';
import { createRateLimiter, type RateLimitOptions } from './auth/rate-limit.ts';
import { type AnswerCacheOptions, createAnswerCache } from './cache/answers.ts';
import { type AnswerWarmerOptions, createAnswerWarmer } from './cache/warm.ts';
import { type ComputePoolOptions, createComputePool, Overloaded } from './compute/pool.ts';
import { unsafeNameIn } from './contract/names.ts';
import { createDetection, type Detection } from './detection.ts';
import { createDetector } from './detector/detector.ts';
import { describeIssues, MAX_BODY_DEPTH, nestedDeeperThan } from './http/body-checks.ts';
import { compress } from './http/compress.ts';
import { boundedQueue, type QueueOptions } from './http/queue.ts';
import { openApiDocument } from './openapi.ts';
import { parsePublicUrl } from './public-url.ts';
import { type Access, type AppDeps, DEFAULT_BODY_LIMIT, type Principal, ROUTES, type RouteDef } from './routes.ts';
import { createServices, DomainError, type Services } from './services/index.ts';
import type { Regression } from './store/core/types.ts';
import { openStore } from './store/open.ts';
import { createWebhook } from './webhook.ts';

export interface AppOptions {
  /** Where the data lives: the services over a store (see openApp to open one by its URL). */
  repo: Services;
  /** Open every GET of results and pages to anyone. */
  public?: boolean;
  /** The clock (tests move it). */
  now?: () => Date;
  /**
   * The dashboard's pages, handed in by the wiring room (`cli/`), served for
   * every GET outside `/api/` that it does not answer with 404.
   */
  dashboard?: Dashboard;
  /** POST each change the detector finds to this URL. */
  webhookUrl?: string;
  /**
   * Where readers reach this server (e.g. `https://bench.example.org` behind a TLS proxy): the base
   * of the feeds' and the webhook's absolute links. Default: the feeds use the request's origin and
   * the webhook's messages carry no links.
   */
  publicUrl?: string;
  /** Called with each change stored. */
  onChange?: (regression: Regression) => void;
  /** Limits per client address. */
  rateLimits?: { authFailures?: RateLimitOptions; enroll?: RateLimitOptions };
  /**
   * Reverse proxies (addresses or CIDR blocks) whose `X-Forwarded-For` names the client
   * the rate limits count; from any other peer the header is ignored. Default: none.
   */
  trustProxy?: readonly string[];
  /** Where server errors are logged (default stderr). */
  log?: (line: string) => void;
  /** The worker threads for heavy answers (comparisons): threads, queue, time budget. */
  compute?: ComputePoolOptions;
  /** The answers about runs: memory in front of the store (the store's `answers` unless given). */
  answers?: AnswerCacheOptions;
  /** The new runs' answers computed ahead of their readers: how many may wait (busy: the pool's own load). */
  warm?: Pick<AnswerWarmerOptions, 'maxPending'>;
  /** The bounded queue uploads go through (validation, storage, detection): how many at once, how many wait. */
  ingest?: QueueOptions;
}

/**
 * What the server needs of the dashboard: a fetch handler (a hono app is one).
 * @example createApp({ db: 'gilbench.db', dashboard: webRoutes() })
 */
export interface Dashboard {
  fetch(request: Request): Response | Promise<Response>;
}

export interface GilbenchApp extends Hono<Env> {
  /** The services over the store. */
  readonly repo: Services;
  readonly detection: Detection;
  /** Resolves when alerts in flight are delivered or given up. */
  alertsIdle(): Promise<void>;
  /** Stops the webhook; closes the store too if the app opened it (openApp). */
  close(): Promise<void>;
}

type Env = { Variables: { auth: Principal | null } };

/** Free space below which /health says the disk is low (64 MiB). */
const LOW_DISK_BYTES = 64 * 1024 * 1024;

export const VERSION: string = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
})();

const ERROR_CODES: Record<number, string> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  409: 'conflict',
  413: 'too-large',
  415: 'unsupported-media-type',
  422: 'invalid',
  429: 'rate-limited',
};

const DOMAIN_STATUS: Record<DomainError['kind'], ContentfulStatusCode> = {
  'not-found': 404,
  conflict: 409,
  invalid: 422,
  forbidden: 403,
  unauthorized: 401,
};

/** The socket's peer (a test request without one counts as `local`). */
function peerAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'local';
  } catch {
    return 'local';
  }
}

/**
 * `schema.safeParse(value)`; zod's async parse only for a schema that needs it (none of
 * ours does today): the async parse costs about twice as much on a run document.
 */
function parseSync(
  schema: z.ZodType,
  value: unknown,
): z.ZodSafeParseResult<unknown> | Promise<z.ZodSafeParseResult<unknown>> {
  try {
    return schema.safeParse(value);
  } catch (err) {
    if (err instanceof z.core.$ZodAsyncError) return schema.safeParseAsync(value);
    throw err;
  }
}

/**
 * Who may call a route of this access with this principal: null when allowed, else the status.
 * @example decideAccess('admin', null, false) // 401
 */
export function decideAccess(access: Access, auth: Principal | null, isPublic: boolean): 401 | 403 | null {
  if (access === 'open') return null;
  if (!auth) return access === 'read' && isPublic ? null : 401;
  switch (access) {
    case 'read':
    case 'operator':
    case 'agent':
      return auth.role === 'admin' || auth.role === 'agent' ? null : 403;
    case 'enroll':
      // An agent token enrolls too: its own machine again (the proof), nothing else (services/machines.ts).
      return auth.role === 'admin' || auth.role === 'enroll' || auth.role === 'agent' ? null : 403;
    case 'admin':
      return auth.role === 'admin' ? null : 403;
  }
}

/**
 * Opens the store `db` names (a file, or a postgres:// URL: see server/store/open.ts)
 * and builds the app over it; the app owns the store (`close()` closes it).
 * @example const app = await openApp({ db: ':memory:', public: true });
 */
export async function openApp(options: Omit<AppOptions, 'repo'> & { db: string }): Promise<GilbenchApp> {
  const services = createServices(await openStore(options.db));
  const app = createApp({ ...options, repo: services });
  const closeApp = app.close;
  return Object.assign(app, {
    close: async () => {
      await closeApp();
      await services.close();
    },
  });
}

/**
 * Builds the app. Options are checked here, so a mistake throws at start-up.
 * @example createApp({ repo: createServices(await openStore(':memory:')), public: true })
 */
export function createApp(options: AppOptions): GilbenchApp {
  if (!options?.repo) throw new TypeError('createApp needs the services over a store (repo); openApp opens one');
  const repo = options.repo;
  const isPublic = options.public ?? false;
  const now = () => (options.now ? options.now().getTime() : Date.now());
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  // Checked here too, so a mistake throws when the app is made, not at the first feed.
  const publicUrl = options.publicUrl === undefined ? null : parsePublicUrl(options.publicUrl);
  const webhook = options.webhookUrl
    ? createWebhook(options.webhookUrl, { log, publicUrl: publicUrl ?? undefined })
    : null;
  const compute = createComputePool(options.compute);
  const detection = createDetection({
    repo,
    detector: createDetector(),
    // Off the event loop, in the threads that check uploads.
    runDetector: (task) => compute.detect(task),
    onChange: options.onChange,
    // One alert per upload, with all its changes.
    onChanges: (regressions) => webhook?.send(regressions),
  });
  const addressOf = createClientAddress(parseTrustedProxies(options.trustProxy ?? []));
  const clientAddress = (c: Context) => addressOf(peerAddress(c), c.req.header('x-forwarded-for'));
  const authFailures = createRateLimiter(options.rateLimits?.authFailures ?? { capacity: 30, refillPerSecond: 0.5 });
  const enrollments = createRateLimiter(options.rateLimits?.enroll ?? { capacity: 10, refillPerSecond: 1 / 30 });

  let openapi: ReturnType<typeof openApiDocument> | null = null;
  const ingest = boundedQueue(options.ingest);
  const answers = createAnswerCache({ store: repo.store.answers, log, now, ...options.answers });
  // A task of readers' own in the pool (running or waiting) comes first, and so do uploads
  // in or waiting: warming waits for them (warming each of 400 uploads in a row took a third
  // of the server's CPU in bench:server; now only each machine's newest run is warmed, after).
  const warmer = createAnswerWarmer({
    ...options.warm,
    busy: () => {
      const uploads = ingest.load();
      return compute.load().running > 0 || uploads.active > 0 || uploads.waiting > 0;
    },
    log,
  });
  // Set when a write fails for want of space, cleared by the next upload stored.
  let full = false;
  const storage = () => {
    let freeBytes: number | null = null;
    try {
      // A SQLite store's file is on this machine; a PostgreSQL server's disk is not ours to measure.
      if (repo.store.kind === 'sqlite' && repo.store.location !== ':memory:') {
        const fs = statfsSync(dirname(resolve(repo.store.location)));
        freeBytes = fs.bavail * fs.bsize;
      }
    } catch {
      // unknown
    }
    const low = full || (freeBytes !== null && freeBytes < LOW_DISK_BYTES);
    return { freeBytes, low, writable: !full };
  };
  const deps: AppDeps = {
    repo,
    compute,
    storage,
    ingest: ingest.load,
    answers,
    warmer,
    detection,
    isPublic,
    publicUrl,
    now,
    version: VERSION,
    allowEnrollment: (c) => {
      const address = clientAddress(c);
      if (enrollments.take(address)) return true;
      c.header('retry-after', String(enrollments.retryAfter(address))); // API.md: every 429 says when to retry
      return false;
    },
    openapi: () => {
      openapi ??= openApiDocument(ROUTES, { version: VERSION });
      return openapi;
    },
  };

  const app = new Hono<Env>();
  app.use('*', compress());
  const fail = (c: Context, status: ContentfulStatusCode, detail: string, error = ERROR_CODES[status] ?? 'error') =>
    c.json({ error, detail }, status);

  app.use(
    '/api/*',
    secureHeaders({
      // JSON only: nothing to load, nothing to frame.
      contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"] },
      referrerPolicy: 'no-referrer',
      crossOriginResourcePolicy: 'same-origin',
    }),
  );
  app.use('/api/*', async (c, next) => {
    await next();
    if (c.req.method !== 'GET' && c.res.status < 300) full = false;
    // What changes is never kept; answers about runs, which never change, say so themselves.
    if (!c.res.headers.has('cache-control')) c.header('cache-control', 'no-store');
  });

  const authenticate =
    (access: Access): MiddlewareHandler<Env> =>
    async (c, next) => {
      const header = c.req.header('authorization');
      let auth: Principal | null = null;
      if (header !== undefined) {
        const match = /^Bearer +(\S+) *$/i.exec(header);
        if (!match) {
          c.header('www-authenticate', 'Bearer');
          return fail(c, 401, "the Authorization header must be 'Bearer <token>'");
        }
        const address = clientAddress(c);
        // Only failures are limited: a valid token is honoured even from an
        // address that is locked out (agents behind one NAT share an address
        // with whoever guesses). Tokens carry 256 random bits, so answering a
        // guesser with 429 instead of 401 is all the slowing down needed.
        const token = await repo.verifyToken(match[1]!, now());
        if (!token && !authFailures.allowed(address)) {
          c.header('retry-after', String(authFailures.retryAfter(address)));
          return fail(c, 429, 'too many failed authentications from this address; wait before trying again');
        }
        if (!token) {
          authFailures.take(address);
          c.header('www-authenticate', 'Bearer error="invalid_token"');
          return fail(c, 401, 'unknown, revoked or expired token (or an enrollment token with no use left)');
        }
        auth = { tokenId: token.id, role: token.role, machineId: token.machineId };
      }
      const refused = decideAccess(access, auth, isPublic);
      if (refused === 401) {
        c.header('www-authenticate', 'Bearer');
        return fail(c, 401, 'this needs a token: Authorization: Bearer <token>');
      }
      if (refused === 403) return fail(c, 403, `a ${auth!.role} token may not do this`);
      c.set('auth', auth);
      await next();
    };

  const validate = (
    target: 'param' | 'query' | 'json',
    schema: z.ZodType,
    parse: (value: unknown) => z.ZodSafeParseResult<unknown> | Promise<z.ZodSafeParseResult<unknown>> = (value) =>
      parseSync(schema, value),
  ): MiddlewareHandler<Env> =>
    zValidator(
      target,
      schema,
      (result, c) => {
        if (!result.success) {
          const where = target === 'json' ? 'body' : target === 'param' ? 'path' : 'query';
          return fail(c, 400, describeIssues(where, result.error.issues), 'invalid');
        }
        if (target === 'json' && nestedDeeperThan(result.data, MAX_BODY_DEPTH)) {
          return fail(c, 400, `body: arrays and objects nested deeper than ${MAX_BODY_DEPTH} levels`, 'invalid');
        }
        const unsafeName = target === 'json' ? unsafeNameIn(result.data) : null;
        if (unsafeName) return fail(c, 422, unsafeName, 'invalid');
      },
      { validationFunction: (_schema, value) => parse(value) },
    ) as unknown as MiddlewareHandler<Env>;

  /**
   * Refuses bodies over `maxSize` bytes. A body with a Content-Length is judged by it
   * (node's parser reads no more than that), before it is read and without touching
   * `c.req.raw.body`: that getter turns the request into a web stream, and reading
   * the body through it costs more than parsing it. Other bodies are counted as they
   * arrive by hono's bodyLimit.
   */
  const limitBody = (maxSize: number): MiddlewareHandler<Env> => {
    const tooLarge = (c: Context) => fail(c, 413, `the body is larger than ${Math.round(maxSize / 1024)} KiB`);
    const streamed = bodyLimit({ maxSize, onError: tooLarge });
    return async (c, next) => {
      const length = c.req.header('content-length');
      if (length === undefined || c.req.header('transfer-encoding') !== undefined) return streamed(c, next);
      if (Number.parseInt(length, 10) > maxSize) return tooLarge(c);
      await next();
    };
  };

  const requireJson =
    (bodyInPool: boolean): MiddlewareHandler<Env> =>
    async (c, next) => {
      const type = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase();
      if (type !== 'application/json') return fail(c, 415, 'send the body as JSON (Content-Type: application/json)');
      // JSON travels as UTF-8; decoding other bytes would store U+FFFD in place of what was sent.
      let bytes: ArrayBuffer | null = null;
      try {
        bytes = await c.req.arrayBuffer();
      } catch {
        // unreadable body: the validator reports it
      }
      if (bytes) {
        if (!isUtf8(bytes)) return fail(c, 400, 'the body is not valid UTF-8; send JSON as UTF-8');
        // The validator parses this text: decoded here once, not again through a web stream.
        // (hono keeps promises in its body cache; its type names the values.) A route that
        // checks its body in a pool thread takes the bytes instead (c.req.arrayBuffer(), cached).
        if (!bodyInPool) {
          (c.req.bodyCache as Record<string, unknown>).text = Promise.resolve(Buffer.from(bytes).toString('utf8'));
        }
      }
      await next();
    };

  const seen = new Set<string>();
  for (const route of ROUTES as readonly RouteDef[]) {
    const key = `${route.method} ${route.path}`;
    if (seen.has(key)) throw new Error(`route ${key} is defined twice`);
    seen.add(key);
    const chain: MiddlewareHandler<Env>[] = [authenticate(route.access)];
    // Before the body is read: a refused upload costs the loop nothing.
    if (route.queued) chain.push(ingest.middleware as MiddlewareHandler<Env>);
    if (route.body) {
      const maxSize = route.maxBody ?? DEFAULT_BODY_LIMIT;
      chain.push(limitBody(maxSize), requireJson(route.bodyInPool ?? false));
    }
    if (route.params) chain.push(validate('param', route.params));
    if (route.query) chain.push(validate('query', route.query));
    // An upload's body is checked by its handler in a pool thread instead (server/compute/upload-task.ts).
    if (route.body && !route.bodyInPool) chain.push(validate('json', route.body, route.parseBody));
    app.on([route.method], [route.path], ...chain, async (c) => {
      // Validated values (or undefined when the route declares none).
      const valid = (target: string) => (c.req.valid as unknown as (t: string) => unknown).call(c.req, target);
      return route.handler({
        c,
        deps,
        auth: c.get('auth'),
        params: route.params ? valid('param') : undefined,
        query: route.query ? valid('query') : undefined,
        body: route.body ? valid('json') : undefined,
      });
    });
  }

  if (options.dashboard) {
    const dashboard = options.dashboard;
    // The dashboard's files carry no data (the pages fetch it from the API with
    // the reader's token), so they are served to anyone; the API decides.
    app.get('*', async (c, next) => {
      if (c.req.path.startsWith('/api/')) return next();
      const response = await dashboard.fetch(c.req.raw);
      if (response.status === 404) return next();
      return response;
    });
  }

  app.notFound((c) => fail(c, 404, `no such route: ${c.req.method} ${c.req.path}`));
  app.onError((err, c) => {
    if (err instanceof HTTPException) {
      const status = err.status as ContentfulStatusCode;
      return fail(c, status, err.message || 'the request was refused');
    }
    if (err instanceof DomainError) return fail(c, DOMAIN_STATUS[err.kind], err.message);
    if ((err as { code?: unknown }).code === 'SQLITE_FULL') {
      full = true;
      log(`gilbench server: the database is full (disk or size limit) on ${c.req.method} ${c.req.path}`);
      return fail(
        c,
        507,
        'the server has no room to store this: its disk is full; reads still work',
        'insufficient-storage',
      );
    }
    if (/^SQLITE_BUSY/.test(String((err as { code?: unknown }).code))) {
      // Another process held the database's lock past the store's retries (server/store/sqlite-worker/).
      c.header('retry-after', '5');
      return fail(c, 503, 'the database is locked by another process; try again shortly', 'unavailable');
    }
    if (err instanceof Overloaded) {
      c.header('retry-after', String(err.retryAfterSeconds));
      return fail(c, 503, err.message, 'unavailable');
    }
    const reference = randomBytes(6).toString('hex');
    log(`gilbench server: error ${reference} on ${c.req.method} ${c.req.path}: ${err.stack ?? err.message}`);
    return fail(c, 500, `the server failed (reference ${reference}); see its log`, 'internal');
  });

  return Object.assign(app, {
    repo,
    detection,
    alertsIdle: async () => {
      await webhook?.idle();
    },
    close: async () => {
      webhook?.close();
      // The answers computed or being written are kept before the pool and the store go.
      await warmer.close();
      await answers.idle();
      await compute.close();
    },
  });
}
