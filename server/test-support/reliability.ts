/**
 * Helpers of the reliability tests (load, faults, fuzzer, security): the
 * short/full switch, a plain HTTP client that can speak from any loopback
 * address and send hostile bodies, and checks of what a database holds and
 * where a process listens. (Starting and killing processes: process.ts.)
 *
 * `GILBENCH_RELIABILITY=full` (set by `npm run test:reliability`) selects the
 * long versions; without it the short versions run inside `npm test`.
 *
 * @example
 * const clients = size(10, 50);
 * const answer = await send(url, { method: 'GET', path: '/api/v1/health', localAddress: loopback(1, 7) });
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import http from 'node:http';
import Database from 'better-sqlite3';
import type { RunDocument } from '../../harness/schema.ts';

/** Whether the long versions run (`npm run test:reliability`). */
export const FULL = process.env.GILBENCH_RELIABILITY === 'full';

/**
 * The short or the full figure.
 * @example const seconds = size(5, 60);
 */
export function size<T>(short: T, full: T): T {
  return FULL ? full : short;
}

// ----------------------------------------------------------------------- HTTP

/**
 * A loopback address of its own for client `index` of a test `block`: all of
 * 127.0.0.0/8 is this host, and the server's rate limits count per address.
 * @example loopback(1, 0) === '127.1.0.1'
 */
export function loopback(block: number, index: number): string {
  return `127.${block}.${Math.floor(index / 250) % 250}.${(index % 250) + 1}`;
}

export interface RequestSpec {
  method: string;
  /** Path and query, sent as written (no normalisation). */
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Send the body with chunked transfer encoding instead of a Content-Length. */
  chunked?: boolean;
  /**
   * Send the headers only and wait for the answer: for a request the server refuses before
   * reading its body (a token refused, a Content-Length over the limit). Sending a large body
   * anyway races the server closing the connection after its answer.
   */
  holdBody?: boolean;
  localAddress?: string;
  /** A keep-alive agent; default: a connection of its own. */
  agent?: http.Agent;
  timeoutMs?: number;
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** From the first byte sent to the last byte received. */
  ms: number;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json(): unknown;
}

/** No answer came: the connection was refused, cut, or timed out. */
export class NoAnswer extends Error {
  override name = 'NoAnswer';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Bodies up to this size go out in one write; larger ones in pieces, stopping at an early answer. */
const SINGLE_WRITE = 4 * 1024 * 1024;
const CHUNK = 256 * 1024;
const quieted = new WeakSet<object>();

/**
 * One HTTP request. Large bodies go out in chunks and stop as soon as an
 * answer arrives (a server may refuse a body early with 413, then close).
 * Rejects with NoAnswer when no answer arrives.
 * @example const { status } = await send(url, { method: 'POST', path: '/api/v1/runs', body, headers });
 */
export function send(base: string, spec: RequestSpec): Promise<Answer> {
  const target = new URL(base);
  const body = spec.body === undefined ? null : Buffer.isBuffer(spec.body) ? spec.body : Buffer.from(spec.body);
  const headers: Record<string, string> = { ...spec.headers };
  if (body && !spec.chunked) headers['content-length'] = String(body.length);
  const t0 = performance.now();
  return new Promise<Answer>((resolve, reject) => {
    let answered = false;
    const req = http.request({
      host: target.hostname,
      port: target.port,
      method: spec.method,
      path: spec.path,
      headers,
      localAddress: spec.localAddress,
      agent: spec.agent ?? false,
      timeout: spec.timeoutMs ?? 60_000,
    });
    // After an early answer the server may close while the body is still going out: not our concern.
    req.on('socket', (socket) => {
      if (quieted.has(socket)) return; // a kept-alive socket, seen before
      quieted.add(socket);
      socket.on('error', () => {});
    });
    req.on('timeout', () => req.destroy(new NoAnswer('ETIMEDOUT', `${spec.method} ${spec.path}: no answer in time`)));
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (answered) return;
      reject(
        err instanceof NoAnswer
          ? err
          : new NoAnswer(err.code ?? 'ERROR', `${spec.method} ${spec.path}: ${err.message}`),
      );
    });
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', () => {});
      res.on('end', () => {
        const data = Buffer.concat(chunks);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: data,
          ms: performance.now() - t0,
          json: () => {
            try {
              return JSON.parse(data.toString('utf8'));
            } catch {
              return undefined;
            }
          },
        });
        if (!req.writableFinished) req.destroy();
      });
    });
    if (!body) {
      req.end();
      return;
    }
    if (spec.holdBody) {
      req.flushHeaders();
      return;
    }
    if (body.length <= SINGLE_WRITE) {
      req.end(body);
      return;
    }
    // Headers first, then the body piece by piece while no answer has come.
    req.flushHeaders();
    void (async () => {
      for (let at = 0; at < body.length && !answered && !req.destroyed; at += CHUNK) {
        if (!req.write(body.subarray(at, at + CHUNK))) {
          await new Promise<void>((resume) => {
            const done = () => {
              req.off('drain', done);
              req.off('close', done);
              req.off('response', done);
              resume();
            };
            req.on('drain', done);
            req.on('close', done);
            req.on('response', done);
          });
        }
      }
      if (!answered && !req.destroyed) req.end();
    })();
  });
}

/**
 * Headers of a JSON request with a bearer token.
 * @example send(url, { method: 'GET', path: '/api/v1/runs', headers: bearer(token) })
 */
export function bearer(token: string | null, json = false): Record<string, string> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (json) headers['content-type'] = 'application/json';
  return headers;
}

/**
 * Whether an answer is the API's error shape: a 4xx with a JSON `{error, detail}`
 * and nothing of the server's insides (no stack trace, no file paths).
 * @example expect(errorShapeProblem(answer)).toBeNull();
 */
export function errorShapeProblem(answer: Answer): string | null {
  if (answer.status >= 500) return `status ${answer.status}`;
  if (answer.status < 400) return null;
  if (!String(answer.headers['content-type'] ?? '').startsWith('application/json')) {
    return `content-type ${answer.headers['content-type'] ?? '(none)'}`;
  }
  const json = answer.json() as { error?: unknown; detail?: unknown } | undefined;
  if (!json || typeof json.error !== 'string' || typeof json.detail !== 'string') {
    return `body is not {error, detail}: ${answer.body.toString('utf8').slice(0, 120)}`;
  }
  if (/\n\s+at |\/work\/|node_modules|\.ts:\d+/.test(json.detail)) return `detail shows internals: ${json.detail}`;
  return null;
}

// ----------------------------------------------------------------- statistics

/**
 * The q-quantile (0..1) by the nearest-rank rule; NaN for no values.
 * @example percentile([1, 2, 3, 4], 0.5) === 2
 */
export function percentile(values: readonly number[], q: number): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/**
 * `{400: 12, 401: 3}` as `400×12 401×3`, by status.
 * @example formatCounts({ 404: 2, 400: 1 }) === '400×1 404×2'
 */
export function formatCounts(counts: Record<string | number, number>): string {
  return Object.entries(counts)
    .sort(([a], [b]) => String(a).localeCompare(String(b)))
    .map(([k, v]) => `${k}×${v}`)
    .join(' ');
}

// ------------------------------------------------------------------- database

export interface StoredRun {
  id: string;
  resultCount: number;
  results: number;
  /** Results that have their raw samples stored. */
  withSamples: number;
  /** Raw samples stored over all results (float64 each). */
  sampleValues: number;
  modes: number;
}

export interface DatabaseReport {
  integrity: string;
  foreignKeyProblems: number;
  runs: StoredRun[];
  /** Run ids stored more than once (the unique index makes this impossible; checked anyway). */
  duplicates: string[];
}

/**
 * What a closed database file holds: its integrity check, foreign-key
 * problems, and for every run its declared result count against the result,
 * sample and mode rows really there.
 * @example const report = inspectDatabase(file); expect(report.integrity).toBe('ok');
 */
export function inspectDatabase(file: string): DatabaseReport {
  const db = new Database(file);
  try {
    const integrity = (db.prepare('PRAGMA integrity_check').pluck().all() as string[]).join('; ');
    const foreignKeyProblems = db.prepare('PRAGMA foreign_key_check').all().length;
    const duplicates = db.prepare('SELECT id FROM runs GROUP BY id HAVING COUNT(*) > 1').pluck().all() as string[];
    // Raw samples sit in the result row, or (older layout) in a table of their own.
    const sampleTable = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'result_samples'")
      .get();
    const samples = sampleTable
      ? 'FROM results x JOIN result_samples s ON s.result_id = x.id WHERE x.run_pk = r.pk'
      : 'FROM results s WHERE s.run_pk = r.pk AND s.samples IS NOT NULL';
    const runs = db
      .prepare(
        `SELECT r.id AS id, r.result_count AS resultCount,
           (SELECT COUNT(*) FROM results x WHERE x.run_pk = r.pk) AS results,
           (SELECT COUNT(*) ${samples}) AS withSamples,
           (SELECT COALESCE(SUM(LENGTH(s.samples)), 0) / 8 ${samples}) AS sampleValues,
           (SELECT COUNT(*) FROM run_modes m WHERE m.run_pk = r.pk) AS modes
         FROM runs r`,
      )
      .all() as StoredRun[];
    return { integrity, foreignKeyProblems, runs, duplicates };
  } finally {
    db.close();
  }
}

/** What an uploaded document held, to compare with what was stored of it. */
export interface UploadedShape {
  results: number;
  modes: number;
  samples: number;
}

/**
 * The shape of a run document.
 * @example expected.set(doc.id, shapeOf(doc));
 */
export function shapeOf(doc: RunDocument): UploadedShape {
  return {
    results: doc.results.length,
    modes: doc.modes.length,
    samples: doc.results.reduce((sum, r) => sum + r.samples.length, 0),
  };
}

/**
 * Runs that are not whole: fewer result, sample or mode rows than the
 * uploaded document had (`expected`: run id -> the document's shape).
 * @example expect(partialRuns(report.runs, expected)).toEqual([]);
 */
export function partialRuns(runs: readonly StoredRun[], expected: ReadonlyMap<string, UploadedShape>): string[] {
  const problems: string[] = [];
  for (const run of runs) {
    const want = expected.get(run.id);
    if (!want) {
      problems.push(`${run.id}: stored, but never uploaded`);
      continue;
    }
    if (run.resultCount !== want.results || run.results !== want.results || run.withSamples !== want.results) {
      problems.push(
        `${run.id}: ${run.results} results, ${run.withSamples} with samples (declared ${run.resultCount}), uploaded ${want.results}`,
      );
    }
    if (run.sampleValues !== want.samples) {
      problems.push(`${run.id}: ${run.sampleValues} samples stored, uploaded ${want.samples}`);
    }
    if (run.modes !== want.modes) problems.push(`${run.id}: ${run.modes} modes, uploaded ${want.modes}`);
  }
  return problems;
}

// ---------------------------------------------------------------------- logs

/**
 * The tokens (or their longest part) that appear in a log.
 * @example expect(tokensIn(server.output(), [admin, agent])).toEqual([]);
 */
export function tokensIn(log: string, tokens: Iterable<string>): string[] {
  const found: string[] = [];
  for (const token of tokens) {
    if (token.length < 8) continue;
    // The secret part alone is as bad as the whole token.
    const secret = token.startsWith('gb_') ? token.slice(3) : token;
    if (log.includes(token) || log.includes(secret)) found.push(`${token.slice(0, 6)}…`);
  }
  return found;
}

/**
 * Addresses a process listens on (TCP, IPv4 and IPv6), from /proc: its socket
 * inodes matched against the kernel's tables of listening sockets.
 * @example listeningAddresses(child.pid) // ['127.0.0.1:40123']
 */
export function listeningAddresses(pid: number): string[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (m) inodes.add(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  const out: string[] = [];
  for (const table of ['tcp', 'tcp6']) {
    let text = '';
    try {
      text = readFileSync(`/proc/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== '0A' || !inodes.has(f[9]!)) continue; // 0A: LISTEN
      const [hex, portHex] = f[1]!.split(':') as [string, string];
      out.push(`${decodeProcAddress(hex)}:${Number.parseInt(portHex, 16)}`);
    }
  }
  return out;
}

/** `0100007F` -> `127.0.0.1`; IPv6 as eight groups. */
function decodeProcAddress(hex: string): string {
  if (hex.length === 8) {
    return [3, 2, 1, 0].map((i) => Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join('.');
  }
  const groups: string[] = [];
  for (let word = 0; word < 4; word++) {
    const w = hex.slice(word * 8, word * 8 + 8);
    const bytes = [3, 2, 1, 0].map((i) => w.slice(i * 2, i * 2 + 2)).join('');
    groups.push(bytes.slice(0, 4), bytes.slice(4, 8));
  }
  const text = groups.map((g) => Number.parseInt(g, 16).toString(16)).join(':');
  if (text === '0:0:0:0:0:0:0:0') return '::';
  if (text === '0:0:0:0:0:0:0:1') return '::1';
  return text;
}
