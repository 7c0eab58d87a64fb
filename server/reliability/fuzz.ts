/**
 * A seeded generator of malformed and hostile requests over every route of
 * the route table (ROUTES): wrong, missing, revoked and under-privileged
 * tokens; wrong methods and unknown routes; bad path ids and query strings;
 * bodies that are not JSON, not UTF-8, of the wrong type, 10,000 levels deep,
 * 10 MB large or over the size limit, with NaN, 1e999, negative times, SQL
 * and HTML in them. The same seed always gives the same requests.
 *
 * Every request is one the server must refuse or one that only reads: a body
 * that would pass validation is sent where it is refused anyway (an id that
 * does not exist, a token whose role may not call the route). So any change
 * to the stored data, and any write the server accepts, is a server bug.
 *
 * @example
 * for (const request of fuzzRequests(context, { seed: 1, count: 1000 })) await send(url, request);
 */
import type { z } from 'zod';
import type { Machine, RunDocument } from '../../harness/schema.ts';
import { createRng } from '../../harness/stats/prng.ts';
import { IdParam, RunIdParam, TokenIdParam } from '../contract/common.ts';
import { MAX_BODY_DEPTH, nestedDeeperThan } from '../http/body-checks.ts';
import { DEFAULT_BODY_LIMIT, ROUTES, type RouteDef } from '../routes.ts';
import type { Seed } from '../test-support/index.ts';

export interface FuzzTokens {
  admin: string;
  enroll: string;
  /** Agent of machine A (the machine the examples are about). */
  agentA: string;
  agentB: string;
  /** An enrollment token that was revoked. */
  revoked: string;
  /** An agent token replaced by its machine enrolling again. */
  superseded: string;
}

/** Rows of the database the requests aim at: the seed's, with runs named by id. */
export type FuzzTargets = Pick<
  Seed,
  | 'newMachine'
  | 'newRunA'
  | 'seriesId'
  | 'regressionId'
  | 'annotationId'
  | 'scheduleId'
  | 'heldJobId'
  | 'queuedJobId'
  | 'enrollTokenId'
  | 'enrollmentRequestId'
> & {
  machineA: number;
  machineFactsA: Machine;
  /** Two stored runs of machine A, and one of machine B. */
  runA: string;
  runA2: string;
  runB: string;
};

export interface FuzzContext {
  tokens: FuzzTokens;
  targets: FuzzTargets;
}

export const FUZZ_KINDS = [
  'auth-none',
  'auth-malformed',
  'auth-unknown',
  'auth-revoked',
  'auth-role',
  'method',
  'unknown-route',
  'path-id',
  'query',
  'body-syntax',
  'body-type',
  'body-field',
  'body-utf8',
  'body-deep',
  'body-10mb',
  'body-over-limit',
] as const;
export type FuzzKind = (typeof FUZZ_KINDS)[number];

export interface FuzzRequest {
  index: number;
  kind: FuzzKind;
  /** The route it was made from (`METHOD /api/v1/...`), or null for an unknown route. */
  route: string | null;
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  body?: Buffer;
  chunked?: boolean;
  /** POST, PUT, PATCH or DELETE: the server must refuse it. */
  write: boolean;
  /** The body is larger than the route it reaches takes (the answer is 413, or a cut connection while sending). */
  overLimit: boolean;
  /** The server refuses it before reading a body (no route, no body expected, token refused, wrong type, too long). */
  answersEarly: boolean;
  /** Token-like strings the request carries (none may ever show up in the server's log). */
  secrets: string[];
}

type TokenName = keyof FuzzTokens;

interface Example {
  path: string;
  token: TokenName | null;
  body?: unknown;
}

/** A request that succeeds (`base`), and one that passes validation but is refused whatever its body (`dead`). */
interface RouteExamples {
  base: Example;
  dead?: Example;
}

const API = '/api/v1';
/** An id no row has. */
const NO_ID = 987_654_321;
const NO_UUID = 'a5a5a5a5-0000-4000-8000-00000000dead';

const EXAMPLES: Record<string, (t: FuzzTargets) => RouteExamples> = {
  'GET /api/v1/health': () => ({ base: { path: `${API}/health`, token: null } }),
  'GET /api/v1/openapi.json': () => ({ base: { path: `${API}/openapi.json`, token: null } }),
  'GET /api/v1/session': () => ({ base: { path: `${API}/session`, token: 'admin' } }),
  'POST /api/v1/agents/enroll': (t) => ({
    base: { path: `${API}/agents/enroll`, token: 'enroll', body: { machine: t.newMachine } },
    dead: { path: `${API}/agents/enroll`, token: 'agentA' },
  }),
  'POST /api/v1/agents/heartbeat': (t) => ({
    base: { path: `${API}/agents/heartbeat`, token: 'agentA', body: { status: 'idle', machine: t.machineFactsA } },
    dead: { path: `${API}/agents/heartbeat`, token: 'enroll' },
  }),
  'GET /api/v1/machines': () => ({ base: { path: `${API}/machines`, token: 'agentA' } }),
  'GET /api/v1/enrollments': () => ({ base: { path: `${API}/enrollments?status=pending`, token: 'admin' } }),
  'POST /api/v1/enrollments/:id/approve': (t) => ({
    base: { path: `${API}/enrollments/${t.enrollmentRequestId}/approve`, token: 'admin' },
    dead: { path: `${API}/enrollments/${NO_ID}/approve`, token: 'admin' },
  }),
  'POST /api/v1/enrollments/:id/reject': (t) => ({
    base: { path: `${API}/enrollments/${t.enrollmentRequestId}/reject`, token: 'admin' },
    dead: { path: `${API}/enrollments/${NO_ID}/reject`, token: 'admin' },
  }),
  'GET /api/v1/machines/:id': (t) => ({ base: { path: `${API}/machines/${t.machineA}`, token: 'agentB' } }),
  'GET /api/v1/machines/:id/trends': (t) => ({
    base: { path: `${API}/machines/${t.machineA}/trends?limit=10`, token: 'agentB' },
  }),
  'PATCH /api/v1/machines/:id': (t) => ({
    base: { path: `${API}/machines/${t.machineA}`, token: 'admin', body: { labels: ['nightly', 'x86'] } },
    dead: { path: `${API}/machines/${NO_ID}`, token: 'admin' },
  }),
  'GET /api/v1/runs': (t) => ({ base: { path: `${API}/runs?machine=${t.machineA}&limit=2`, token: 'agentA' } }),
  'POST /api/v1/runs': (t) => ({
    base: { path: `${API}/runs`, token: 'agentA', body: t.newRunA },
    dead: { path: `${API}/runs`, token: 'enroll' },
  }),
  'GET /api/v1/runs/:id': (t) => ({ base: { path: `${API}/runs/${t.runA}?samples=1`, token: 'admin' } }),
  'GET /api/v1/runs/:id/document': (t) => ({ base: { path: `${API}/runs/${t.runA}/document`, token: 'admin' } }),
  'DELETE /api/v1/runs/:id': (t) => ({
    base: { path: `${API}/runs/${t.runB}`, token: 'admin' },
    dead: { path: `${API}/runs/${NO_UUID}`, token: 'admin' },
  }),
  'GET /api/v1/runs/:id/compare': (t) => ({
    base: { path: `${API}/runs/${t.runA}/compare?other=nogil`, token: 'admin' },
  }),
  'GET /api/v1/runs/:id/scaling': (t) => ({ base: { path: `${API}/runs/${t.runA}/scaling`, token: 'agentA' } }),
  'GET /api/v1/runs/:id/locks': (t) => ({ base: { path: `${API}/runs/${t.runA}/locks`, token: 'agentA' } }),
  'GET /api/v1/compare': (t) => ({
    base: { path: `${API}/compare?base=${t.runA}&other=${t.runA2}&mode=nogil`, token: 'admin' },
  }),
  'GET /api/v1/series': (t) => ({ base: { path: `${API}/series?machine=${t.machineA}&suite=calls`, token: 'admin' } }),
  'GET /api/v1/series/:id': (t) => ({ base: { path: `${API}/series/${t.seriesId}`, token: 'admin' } }),
  'GET /api/v1/series/:id/history': (t) => ({
    base: { path: `${API}/series/${t.seriesId}/history?from=0&limit=50`, token: 'admin' },
  }),
  'GET /api/v1/regressions': () => ({ base: { path: `${API}/regressions?status=new`, token: 'admin' } }),
  'GET /api/v1/regressions/:id': (t) => ({ base: { path: `${API}/regressions/${t.regressionId}`, token: 'admin' } }),
  'PATCH /api/v1/regressions/:id': (t) => ({
    base: { path: `${API}/regressions/${t.regressionId}`, token: 'admin', body: { status: 'ignored', note: 'noise' } },
    dead: { path: `${API}/regressions/${NO_ID}`, token: 'admin' },
  }),
  'GET /api/v1/annotations': () => ({ base: { path: `${API}/annotations?limit=10`, token: 'admin' } }),
  'POST /api/v1/annotations': (t) => ({
    base: { path: `${API}/annotations`, token: 'admin', body: { text: 'kernel upgrade', machineId: t.machineA } },
    dead: { path: `${API}/annotations`, token: 'agentA' },
  }),
  'PATCH /api/v1/annotations/:id': (t) => ({
    base: { path: `${API}/annotations/${t.annotationId}`, token: 'admin', body: { text: 'edited' } },
    dead: { path: `${API}/annotations/${NO_ID}`, token: 'admin' },
  }),
  'DELETE /api/v1/annotations/:id': (t) => ({
    base: { path: `${API}/annotations/${t.annotationId}`, token: 'admin' },
    dead: { path: `${API}/annotations/${NO_ID}`, token: 'admin' },
  }),
  'GET /api/v1/schedules': () => ({ base: { path: `${API}/schedules`, token: 'agentA' } }),
  'POST /api/v1/schedules': () => ({
    base: {
      path: `${API}/schedules`,
      token: 'admin',
      body: { name: 'weekly', cron: '0 4 * * 0', timezone: 'UTC', suites: ['locks'], modes: ['nogil'] },
    },
    dead: { path: `${API}/schedules`, token: 'agentA' },
  }),
  'GET /api/v1/schedules/:id': (t) => ({ base: { path: `${API}/schedules/${t.scheduleId}`, token: 'admin' } }),
  'PATCH /api/v1/schedules/:id': (t) => ({
    base: { path: `${API}/schedules/${t.scheduleId}`, token: 'admin', body: { cron: '0 5 * * *' } },
    dead: { path: `${API}/schedules/${NO_ID}`, token: 'admin' },
  }),
  'DELETE /api/v1/schedules/:id': (t) => ({
    base: { path: `${API}/schedules/${t.scheduleId}`, token: 'admin' },
    dead: { path: `${API}/schedules/${NO_ID}`, token: 'admin' },
  }),
  'GET /api/v1/jobs': () => ({ base: { path: `${API}/jobs?status=queued&limit=5`, token: 'admin' } }),
  'POST /api/v1/jobs': () => ({
    base: { path: `${API}/jobs`, token: 'admin', body: { suites: ['calls'], modes: ['gil', 'nogil'] } },
    dead: { path: `${API}/jobs`, token: 'agentA' },
  }),
  'GET /api/v1/jobs/:id': (t) => ({ base: { path: `${API}/jobs/${t.heldJobId}`, token: 'agentA' } }),
  'POST /api/v1/jobs/claim': () => ({
    base: { path: `${API}/jobs/claim`, token: 'agentA', body: { leaseSeconds: 60 } },
    dead: { path: `${API}/jobs/claim`, token: 'enroll' },
  }),
  'POST /api/v1/jobs/:id/progress': (t) => ({
    base: { path: `${API}/jobs/${t.heldJobId}/progress`, token: 'agentA', body: { done: 1, total: 4, message: 'm' } },
    dead: { path: `${API}/jobs/${NO_ID}/progress`, token: 'agentA' },
  }),
  'POST /api/v1/jobs/:id/complete': (t) => ({
    base: { path: `${API}/jobs/${t.heldJobId}/complete`, token: 'agentA', body: { runId: t.runA } },
    dead: { path: `${API}/jobs/${NO_ID}/complete`, token: 'agentA' },
  }),
  'POST /api/v1/jobs/:id/fail': (t) => ({
    base: { path: `${API}/jobs/${t.heldJobId}/fail`, token: 'agentA', body: { error: 'crashed', requeue: true } },
    dead: { path: `${API}/jobs/${NO_ID}/fail`, token: 'agentA' },
  }),
  'POST /api/v1/jobs/:id/cancel': (t) => ({
    base: { path: `${API}/jobs/${t.queuedJobId}/cancel`, token: 'admin' },
    dead: { path: `${API}/jobs/${NO_ID}/cancel`, token: 'admin' },
  }),
  'GET /api/v1/tokens': () => ({ base: { path: `${API}/tokens`, token: 'admin' } }),
  'POST /api/v1/tokens': () => ({
    base: { path: `${API}/tokens`, token: 'admin', body: { role: 'enroll', name: 'lab' } },
    dead: { path: `${API}/tokens`, token: 'agentA' },
  }),
  'DELETE /api/v1/tokens/:id': (t) => ({
    base: { path: `${API}/tokens/${t.enrollTokenId}`, token: 'admin' },
    dead: { path: `${API}/tokens/ffffffffffffffff`, token: 'admin' },
  }),
  'GET /api/v1/runs/:id/summary.md': (t) => ({
    base: { path: `${API}/runs/${t.runA}/summary.md?base=gil`, token: 'agentB' },
  }),
  'GET /feed.xml': () => ({ base: { path: '/feed.xml', token: 'agentA' } }),
  'GET /machines/:id/feed.xml': (t) => ({ base: { path: `/machines/${t.machineA}/feed.xml`, token: 'agentB' } }),
  'GET /badges/regressions.svg': () => ({ base: { path: '/badges/regressions.svg', token: 'agentA' } }),
  'GET /badges/machines/:id/regressions.svg': (t) => ({
    base: { path: `/badges/machines/${t.machineA}/regressions.svg`, token: 'agentA' },
  }),
  'GET /badges/machines/:id/single-thread.svg': (t) => ({
    base: { path: `/badges/machines/${t.machineA}/single-thread.svg`, token: 'agentA' },
  }),
};

/**
 * Routes of the table the generator has no example for (a new route must get one), and examples of routes
 * that do not exist.
 * @example expect(missingExamples()).toEqual({ missing: [], unknown: [] });
 */
export function missingExamples(): { missing: string[]; unknown: string[] } {
  const keys = ROUTES.map(routeKey);
  return {
    missing: keys.filter((k) => !EXAMPLES[k]),
    unknown: Object.keys(EXAMPLES).filter((k) => !keys.includes(k)),
  };
}

const routeKey = (r: RouteDef) => `${r.method} ${r.path}`;
const isWrite = (method: string) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method);

const PATTERNS = ROUTES.map((r) => ({
  route: r,
  regex: new RegExp(`^${r.path.replace(/[.]/g, '\\.').replace(/:\w+/g, '[^/]+')}$`),
}));

/**
 * The route a request would reach: the path normalised as the server's URL
 * parser does (dot segments, `%2e`), then matched against the table.
 * @example routeFor('GET', '/api/v1/jobs/%2e%2e/tokens')?.path === '/api/v1/tokens'
 */
export function routeFor(method: string, path: string): RouteDef | null {
  let pathname: string;
  try {
    pathname = new URL(path, 'http://127.0.0.1').pathname;
  } catch {
    return null;
  }
  const wanted = method === 'HEAD' ? 'GET' : method;
  return PATTERNS.find((p) => p.route.method === wanted && p.regex.test(pathname))?.route ?? null;
}

// ------------------------------------------------------------ hostile values

/** JSON texts put in place of one field: wrong types, edge numbers, hostile strings. */
const HOSTILE_JSON: readonly string[] = [
  'null',
  'true',
  'false',
  '0',
  '-1',
  '-0',
  '1.5',
  '-1e15',
  '1e308',
  '-1e308',
  '1e999',
  '-1e999',
  '1e-400',
  '9007199254740993',
  '123456789012345678901234567890',
  'NaN',
  'Infinity',
  '-Infinity',
  '""',
  '"x"',
  '"-1"',
  '"1e999"',
  '"NaN"',
  '"\\u0000"',
  '"\\ud800"',
  '"<script>alert(1)</script>"',
  '"<img src=x onerror=alert(1)>"',
  `"'; DROP TABLE runs; --"`,
  '"1 OR 1=1"',
  `"\\" OR \\"\\"=\\""`,
  '"$' + '{jndi:ldap://127.0.0.1/x}"', // a log-injection lookup, not a template
  '"../../../../etc/passwd"',
  '"%s%s%s%n"',
  '"\\r\\nX-Injected: 1"',
  '"\\u202e\\ufeff🙂"',
  '"1969-12-31T23:59:59Z"',
  '"2025-13-45T99:99:99Z"',
  '[]',
  '{}',
  '[null]',
  '[[[[[[[[]]]]]]]]',
  '{"__proto__": {"polluted": true}}',
  '{"constructor": {"prototype": {"polluted": true}}}',
  JSON.stringify('y'.repeat(5000)),
  JSON.stringify('z'.repeat(70_000)),
];

/** Bodies that are not JSON at all (or JSON of the wrong shape: every body schema is an object). */
const BROKEN_JSON: readonly string[] = [
  '',
  ' ',
  '{',
  '}',
  '{"a":}',
  '{"a" 1}',
  "{'a': 1}",
  '{"a": 1,}',
  '[1,]',
  '{"a": 01}',
  '{"a": .5}',
  '{"a": +1}',
  '{"a": 0x10}',
  '{"a": NaN}',
  '{"a": Infinity}',
  '{"a": -Infinity}',
  '{"a": undefined}',
  '{"a": "\u0001"}',
  '{"a": "\\x41"}',
  '{"a": "\\ud800',
  '{\ufeff"a": 1}', // a byte order mark inside; one at the start is dropped while decoding (RFC 8259 allows it)
  '{} {}',
  '{"a": 1} trailing',
  '/* comment */ {}',
  'NaN',
  'undefined',
  'null',
  'true',
  '0',
  '-1e999',
  '"a string"',
  '[]',
  '[{}]',
  '\u0000',
];

const BAD_INTEGER_IDS = [
  '0',
  '-1',
  '-0',
  'abc',
  '1.5',
  '1e999',
  'NaN',
  'Infinity',
  '-Infinity',
  '9007199254740992',
  '99999999999999999999999',
  String(NO_ID),
  '9007199254740991',
  '1e9',
  'null',
  'undefined',
  'true',
  '%00',
  '%27%20OR%201%3D1--',
  '%3Cscript%3E',
  '..',
  '%2e%2e',
  '%2F',
  '%E2%80%AE',
  '%FF',
  'x'.repeat(3000),
];
/** Other spellings of a small number ("1.0", "0x1"): read-only routes only, they may name a real row. */
const LENIENT_IDS = ['1.0', '0x1', '+1', '01', '%201', '1e0'];
const BAD_UUIDS = [
  'not-a-uuid',
  NO_UUID,
  NO_UUID.toUpperCase(),
  NO_UUID.replace(/-/g, ''),
  `${NO_UUID}0`,
  '00000000-0000-0000-0000-000000000000',
  '%27%20OR%201%3D1--',
  '..',
  '%00',
  'x'.repeat(3000),
];
const BAD_TOKEN_IDS = ['zz', 'FFFFFFFFFFFFFFFF', 'ffffffffffffffff', '0123456789abcdef0', '0123', '%00', '..', '-1'];

const BAD_QUERY_VALUES = [
  '',
  '-1',
  '0',
  '1.5',
  '1e999',
  'NaN',
  'Infinity',
  'abc',
  '%ZZ',
  '%00',
  '%27%20OR%201%3D1--',
  '%3Cscript%3Ealert(1)%3C%2Fscript%3E',
  '9007199254740993',
  '-9999999999999999',
  'true',
  '2',
  '[]',
  '%5B%5D',
  'x'.repeat(3000),
];
const ODD_QUERIES = ['?', '?&&&', '?=', '?=1', '?%', '?a=%ZZ', '?%00=%00', '?a[b]=1', '?__proto__[x]=1', '?limit'];

const UNKNOWN_PATHS = [
  '/',
  '/api',
  '/api/',
  '/api/v1',
  '/api/v1/',
  '/api/v2/runs',
  '/api/v1/runz',
  '/API/v1/runs',
  '/api/V1/runs',
  '/api//v1/runs',
  '/api/v1//runs',
  '/api/v1/runs/',
  '/api/v1/runs/x/y/z',
  '/api/v1/machines/1/extra',
  '/api/v1/jobs/1/start',
  '/api/v1/tokens/ffffffffffffffff/secret',
  '/api/v1/admin',
  '/api/v1/.env',
  '/api/v1/%2e%2e/%2e%2e/etc/passwd',
  '/api/v1/../../etc/passwd',
  '/api/v1/runs%00',
  '/api/v1/runs%2F',
  '/api/v1/%3Cscript%3E',
  '/api/v1/openapi.yaml',
  '/index.html',
  '/app.js',
  '/favicon.ico',
  `/api/v1/${'a'.repeat(4000)}`,
  '/api/v1/series/1/history/extra',
  '/api/v1/agents',
  '/api/v1/agents/enroll/again',
];

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

const WRONG_CONTENT_TYPES: ReadonlyArray<string | string[] | null> = [
  null,
  'text/plain',
  'text/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/jsonx',
  'application/json-seq',
  'json',
  '*/*',
  ['application/json', 'text/plain'],
];

// ----------------------------------------------------------------- generator

interface Rng {
  next(): number;
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
}

function rngOf(seed: number): Rng {
  const next = createRng(seed);
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: (items) => items[int(items.length)]! };
}

/** Every path to a value inside a JSON value, with at most `limit` taken per array (samples are many). */
function valuePaths(value: unknown, limit = 3, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [prefix];
  if (Array.isArray(value)) {
    for (let i = 0; i < Math.min(value.length, limit); i++) out.push(...valuePaths(value[i], limit, [...prefix, i]));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) out.push(...valuePaths(v, limit, [...prefix, k]));
  }
  return out;
}

const MARK = '\u0000fuzz-mark\u0000';

/** `value` with the field at `path` replaced by the raw JSON text `raw` (or removed when raw is null). */
function withField(value: unknown, path: ReadonlyArray<string | number>, raw: string | null): string {
  if (path.length === 0) return raw ?? '';
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let at = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (raw === null) {
    if (Array.isArray(at)) at.splice(Number(last), 1);
    else delete at[last];
    return JSON.stringify(copy);
  }
  at[last] = MARK;
  return JSON.stringify(copy).replace(JSON.stringify(MARK), raw);
}

/**
 * Whether the server's validation would let this body text through to the handler: decoded as
 * the server decodes it (a leading BOM is dropped, as RFC 8259 allows), parsed, validated (unknown
 * keys are dropped, however deep), and within the nesting limit.
 * @example passesValidation(routeFor('POST', '/api/v1/jobs/claim')!, '{}') // true
 */
export function passesValidation(route: RouteDef, text: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(Buffer.from(text, 'utf8')));
  } catch {
    return false;
  }
  const result = (route.body as z.ZodType).safeParse(parsed);
  return result.success && !nestedDeeperThan(result.data, MAX_BODY_DEPTH);
}

const deepArray = (levels: number) => `${'['.repeat(levels)}1${']'.repeat(levels)}`;
const deepObject = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

/** A run document of about `bytes` whose very last sample is negative: parsed and validated to the end, then refused. */
function bigRunDocument(doc: RunDocument, bytes: number): string {
  const one = JSON.stringify(doc.results[0]).length + 1;
  const results = Array.from({ length: Math.min(19_000, Math.ceil(bytes / one)) }, (_, i) => ({
    ...doc.results[i % doc.results.length]!,
    params: { copy: i },
  }));
  const last = results[results.length - 1]!;
  results[results.length - 1] = { ...last, samples: [...last.samples.slice(0, -1), -1] };
  return JSON.stringify({ ...doc, results });
}

export interface FuzzOptions {
  seed: number;
  count: number;
}

/**
 * The requests, one at a time (a 10 MB body is made only when its turn comes).
 * @example const all = [...fuzzRequests(context, { seed: 7, count: 100 })];
 */
export function* fuzzRequests(ctx: FuzzContext, opts: FuzzOptions): Generator<FuzzRequest> {
  const rng = rngOf(opts.seed);
  const examples = new Map(ROUTES.map((r) => [routeKey(r), EXAMPLES[routeKey(r)]!(ctx.targets)]));
  const bodyRoutes = ROUTES.filter((r) => r.body);
  let fakeCounter = 0;
  let redraws = 0;
  for (let index = 0; index < opts.count; index++) {
    let kind: FuzzKind;
    let route: RouteDef | null;
    if (index % 2000 === 777) {
      kind = 'body-over-limit';
      route = rng.pick(bodyRoutes);
    } else if (index % 500 === 250) {
      kind = 'body-10mb';
      route = rng.pick(bodyRoutes);
    } else {
      const pick = rng.int(ROUTES.length + 2);
      route = pick < ROUTES.length ? ROUTES[pick]! : null;
      kind = route ? rng.pick(kindsFor(route)) : 'unknown-route';
    }
    const made = make(index, kind, route);
    if (made) classify(made);
    if (made) {
      redraws = 0;
      yield made;
    } else {
      // The draw did not fit (e.g. an unknown path that is a route after all): draw again.
      if (++redraws > 100) throw new Error(`fuzzRequests: nothing fits request ${index} (${kind})`);
      index--;
    }
  }

  function make(index: number, kind: FuzzKind, route: RouteDef | null): FuzzRequest | null {
    const request = (method: string, path: string, token: string | null, body?: string | Buffer): FuzzRequest => {
      const headers: Record<string, string | string[]> = {};
      if (token !== null) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      return {
        index,
        kind,
        route: route ? routeKey(route) : null,
        method,
        path,
        headers,
        body: body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'),
        write: isWrite(method),
        overLimit: false,
        answersEarly: false,
        secrets: token === null ? [] : [token],
      };
    };

    if (!route) {
      const method = rng.pick(METHODS);
      const path = rng.pick(UNKNOWN_PATHS);
      if (routeFor(method, path)) return null;
      const r = request(method, path, rng.next() < 0.5 ? ctx.tokens.admin : null);
      return r;
    }

    const ex = examples.get(routeKey(route))!;
    const base = ex.base;
    const baseToken = base.token ? ctx.tokens[base.token] : null;
    const baseBody = base.body === undefined ? undefined : JSON.stringify(base.body);

    switch (kind) {
      case 'auth-none':
        return request(route.method, base.path, null, baseBody);
      case 'auth-malformed': {
        const real = ctx.tokens.admin;
        const header = rng.pick([
          'Bearer',
          'Bearer ',
          `Basic ${Buffer.from(`admin:${real}`).toString('base64')}`,
          `Token ${real}`,
          real,
          `Bearer ${real} extra`,
          `Bearer ${real}x`,
          `Bearer ${real.slice(0, -1)}`,
          `Bearer "${real}"`,
          `Bearer ${real},${real}`,
          `Bearer ${'x'.repeat(600)}`,
          "Bearer gb_' OR '1'='1",
          'Bearer \t',
          `Bearer ${'a'.repeat(4000)}`,
        ]);
        const r = request(route.method, base.path, null, baseBody);
        r.headers.authorization = header;
        r.secrets.push(real);
        return r;
      }
      case 'auth-unknown': {
        const fake =
          `gb_${Buffer.from(`fuzz-${opts.seed}-${fakeCounter++}-${rng.next()}`).toString('base64url')}`.padEnd(46, 'Q');
        return request(route.method, base.path, fake, baseBody);
      }
      case 'auth-revoked':
        return request(route.method, base.path, rng.pick([ctx.tokens.revoked, ctx.tokens.superseded]), baseBody);
      case 'auth-role': {
        const refused = REFUSED_ROLES[route.access];
        if (!refused.length) return null;
        return request(route.method, base.path, ctx.tokens[rng.pick(refused)], baseBody);
      }
      case 'method': {
        const method = rng.pick(METHODS.filter((m) => !routeFor(m, base.path)));
        return request(method, base.path, ctx.tokens.admin, baseBody ?? (rng.next() < 0.5 ? '{}' : undefined));
      }
      case 'path-id': {
        const schema = route.params;
        const bad =
          schema === RunIdParam
            ? BAD_UUIDS
            : schema === TokenIdParam
              ? BAD_TOKEN_IDS
              : schema === IdParam
                ? BAD_INTEGER_IDS
                : [];
        const ids = isWrite(route.method) ? bad : [...bad, ...LENIENT_IDS];
        const id = rng.pick(ids);
        const path =
          route.path.replace(':id', id) + (base.path.includes('?') ? base.path.slice(base.path.indexOf('?')) : '');
        // A bad id must not make the path another route (e.g. `..` folding it away into one that exists).
        const reached = routeFor(route.method, path);
        if (reached && reached !== route) return null;
        return request(route.method, path, baseToken, baseBody);
      }
      case 'query': {
        const keys = Object.keys((route.query as unknown as z.ZodObject).shape ?? {});
        const pathOnly = base.path.split('?')[0]!;
        let query: string;
        if (rng.next() < 0.2) query = rng.pick(ODD_QUERIES);
        else {
          const parts: string[] = [];
          for (let n = 1 + rng.int(3); n > 0; n--) {
            const key =
              rng.next() < 0.8 ? rng.pick(keys) : rng.pick(['__proto__', 'constructor', 'limit[]', 'x'.repeat(200)]);
            parts.push(`${key}=${rng.pick(BAD_QUERY_VALUES)}`);
            if (rng.next() < 0.2) parts.push(`${key}=${rng.pick(BAD_QUERY_VALUES)}`); // repeated
          }
          query = `?${parts.join('&')}`;
        }
        return request(route.method, pathOnly + query, baseToken);
      }
      case 'body-syntax':
        return bodyRequest(index, kind, route, ex, rng.pick(BROKEN_JSON));
      case 'body-type': {
        const r = request(route.method, base.path, baseToken, baseBody);
        const type = rng.pick(WRONG_CONTENT_TYPES);
        if (type === null) delete r.headers['content-type'];
        else r.headers['content-type'] = type;
        return r;
      }
      case 'body-field': {
        const paths = valuePaths(base.body);
        const path = rng.pick(paths);
        const raw = rng.next() < 0.1 ? null : rng.pick(HOSTILE_JSON);
        return bodyRequest(index, kind, route, ex, withField(base.body, path, raw));
      }
      case 'body-utf8': {
        // Invalid UTF-8 inside a string: a lone continuation byte, an overlong form, a surrogate, a cut sequence.
        const bad = rng.pick([
          [0x80],
          [0xc0, 0xaf],
          [0xed, 0xa0, 0x80],
          [0xe2, 0x82],
          [0xff, 0xfe],
          [0xf8, 0x88, 0x80, 0x80, 0x80],
        ]);
        const text = baseBody ?? '{"x":"y"}';
        const at = text.indexOf('"', text.indexOf(':')) + 1 || 1;
        const body = Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from(bad), Buffer.from(text.slice(at))]);
        // Refused for its encoding, so the body may be valid otherwise: it goes where it would be stored.
        return request(route.method, base.path, baseToken, body);
      }
      case 'body-deep': {
        const paths = valuePaths(base.body);
        const levels = rng.pick([65, 1000, 10_000, 100_000]);
        const raw = rng.next() < 0.5 ? deepArray(levels) : deepObject(levels);
        return bodyRequest(index, kind, route, ex, withField(base.body, rng.pick(paths), raw));
      }
      case 'body-10mb': {
        const tenMb = 10 * 1024 * 1024;
        let text: string;
        if (route.method === 'POST' && route.path === `${API}/runs`) {
          const variant = rng.int(3);
          if (variant === 0) text = bigRunDocument(ctx.targets.newRunA, tenMb);
          else if (variant === 1) text = JSON.stringify({ ...ctx.targets.newRunA, profile: 'p'.repeat(tenMb) });
          else {
            const junk = Buffer.alloc(tenMb);
            for (let i = 0; i < junk.length; i += 4) junk.writeUInt32LE(Math.floor(rng.next() * 2 ** 32), i);
            return { ...request(route.method, base.path, baseToken, junk), chunked: rng.next() < 0.5 };
          }
        } else {
          text = JSON.stringify({ ...(base.body as object), padding: 'q'.repeat(tenMb) });
        }
        const r = bodyRequest(index, kind, route, ex, text);
        return r && { ...r, chunked: rng.next() < 0.5 };
      }
      case 'body-over-limit': {
        const limit = route.maxBody ?? DEFAULT_BODY_LIMIT;
        const text = `{"text": "${'o'.repeat(limit + 1024)}"}`;
        return { ...request(route.method, base.path, baseToken, text), chunked: rng.next() < 0.5 };
      }
      case 'unknown-route':
        return null;
    }
  }

  /** A body request on the route's own example, or on its dead example when the body would pass validation. */
  function bodyRequest(
    index: number,
    kind: FuzzKind,
    route: RouteDef,
    ex: RouteExamples,
    text: string,
  ): FuzzRequest | null {
    const target = passesValidation(route, text) ? ex.dead : ex.base;
    if (!target) return null;
    const token = target.token ? ctx.tokens[target.token] : null;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    return {
      index,
      kind,
      route: routeKey(route),
      method: route.method,
      path: target.path,
      headers,
      body: Buffer.from(text, 'utf8'),
      write: isWrite(route.method),
      overLimit: false,
      answersEarly: false,
      secrets: token ? [token] : [],
    };
  }
}

/** Sets what the server does with the request's body: refuse it unread, or read it. */
function classify(r: FuzzRequest): void {
  if (!r.body) return;
  const reached = routeFor(r.method, r.path);
  r.overLimit = Boolean(reached?.body) && r.body.length > (reached?.maxBody ?? DEFAULT_BODY_LIMIT);
  r.answersEarly =
    !reached?.body || r.kind.startsWith('auth-') || r.kind === 'body-type' || (r.overLimit && !r.chunked);
}

/** Roles refused by each access level (see decideAccess in app.ts). */
const REFUSED_ROLES: Record<RouteDef['access'], TokenName[]> = {
  open: [],
  read: ['enroll'],
  operator: ['enroll'],
  // An agent token reaches enrollment (its own machine only: the service refuses the rest with 403).
  enroll: ['agentA', 'agentB'],
  agent: ['enroll'],
  admin: ['enroll', 'agentA', 'agentB'],
};

/** The kinds that fit a route, repeated by weight: mostly bodies, ids and queries, auth in every fifth or so. */
function kindsFor(route: RouteDef): FuzzKind[] {
  const kinds: FuzzKind[] = ['method', 'auth-malformed'];
  if (route.access !== 'open') kinds.push('auth-none', 'auth-unknown', 'auth-revoked', 'auth-role');
  if (route.path.includes(':id')) kinds.push('path-id', 'path-id', 'path-id');
  if (route.query) kinds.push('query', 'query', 'query', 'query');
  if (route.body) {
    kinds.push('body-syntax', 'body-syntax', 'body-syntax', 'body-type', 'body-utf8', 'body-deep', 'body-deep');
    kinds.push('body-field', 'body-field', 'body-field', 'body-field', 'body-field', 'body-field');
  }
  return kinds;
}
