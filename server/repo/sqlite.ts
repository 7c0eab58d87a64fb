/**
 * The SQLite repository (drizzle over better-sqlite3). Simple reads and
 * writes use drizzle's query builder; the hot paths (ingest, series history,
 * the detector's window) use prepared statements on the same connection,
 * because they run thousands of times per second and the builder's per-call
 * cost would dominate there.
 *
 * @example
 * const repo = openSqliteRepository('gilbench.db');
 * const { created } = await repo.ingestRun(doc, { uploadedBy: null, now: Date.now() });
 */
import { endianness } from 'node:os';
import { and, asc, desc, eq, gte, lte, type SQL, sql } from 'drizzle-orm';
import { caseKey, caseId as formatCaseId, type Machine, type Mode, type RunDocument } from '../../harness/schema.ts';
import { digestMatches, generateToken, hashToken, plausibleToken } from '../auth/tokens.ts';
import { type OpenDatabase, openDatabase } from '../db/open.ts';
import {
  annotations,
  type JobStatus,
  jobs,
  machines,
  type RegressionStatus,
  regressions,
  runs,
  schedules,
  series,
  type TokenRole,
  tokens,
} from '../db/schema.ts';
import type { DetectedChange } from '../detector/detector.ts';
import { pointFromSamples } from '../detector/point.ts';
import {
  type Actor,
  type Annotation,
  type AnnotationFilter,
  type AnnotationInput,
  type DetectionWindow,
  DomainError,
  type HistoryPoint,
  type HistoryView,
  type IngestOutcome,
  type Job,
  type JobFilter,
  type JobSpecInput,
  type MachineInfo,
  type Params,
  type Regression,
  type RegressionFilter,
  type Repository,
  type ResultRow,
  type RunDetail,
  type RunInfo,
  type Schedule,
  type ScheduleInput,
  type SeriesFilter,
  type SeriesInfo,
  type TokenInfo,
} from './types.ts';

export interface SqliteRepositoryOptions {
  /** Series with at most this many points are kept whole in memory for history reads (default 20,000). */
  wholeSeriesPoints?: number;
}

/**
 * Opens the database file (migrating it) and returns its repository.
 * @example const repo = openSqliteRepository(':memory:');
 */
export function openSqliteRepository(file: string, options: SqliteRepositoryOptions = {}): SqliteRepository {
  return new SqliteRepository(openDatabase(file), options);
}

const LITTLE_ENDIAN = endianness() === 'LE';

/** Raw samples as little-endian float64, the `results.samples` column's format. */
export function encodeSamples(samples: readonly number[]): Buffer {
  if (LITTLE_ENDIAN) {
    // The host's own float64 layout is the column's: one copy, no call per sample.
    const floats = new Float64Array(samples);
    return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength);
  }
  const buffer = Buffer.allocUnsafe(samples.length * 8);
  for (let i = 0; i < samples.length; i++) buffer.writeDoubleLE(samples[i]!, i * 8);
  return buffer;
}

export function decodeSamples(buffer: Buffer): number[] {
  const samples = new Array<number>(buffer.length / 8);
  for (let i = 0; i < samples.length; i++) samples[i] = buffer.readDoubleLE(i * 8);
  return samples;
}

/** Canonical JSON (keys sorted at every depth): equal values give equal keys. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

const parseJson = <T>(text: string | null): T => (text === null ? (null as T) : (JSON.parse(text) as T));
const bool = (v: number | null): boolean | null => (v === null ? null : v !== 0);

/** The columns every result listing reads, joined with its case and mode. */
const RESULT_COLUMNS = `
  r.id, r.series_id, r.position, r.status, r.unit, r.loop_cost_ns, r.loops, r.ops_per_loop, r.processes,
  r.n, r.mean, r.median, r.min, r.max, r.sd, r.ci_low, r.ci_high, r.margin, r.peak_rss_bytes, r.checksum,
  r.gil_after_load, r.gil_after_run, r.load_before, r.load_after, r.wall_ms, r.warnings, r.error,
  s.name AS suite, b.name AS benchmark, c.key AS case_key, c.params, mo.name AS mode_name, mo.mode AS mode_kind`;
const RESULT_JOINS = `
  JOIN cases c ON c.id = r.case_id
  JOIN benchmarks b ON b.id = c.benchmark_id
  JOIN suites s ON s.id = b.suite_id
  JOIN modes mo ON mo.id = r.mode_id`;

interface ResultDbRow {
  id: number;
  series_id: number;
  position: number;
  status: 'ok' | 'error' | 'invalid';
  unit: 'ns';
  loop_cost_ns: number;
  loops: number;
  ops_per_loop: number;
  processes: number;
  n: number | null;
  mean: number | null;
  median: number | null;
  min: number | null;
  max: number | null;
  sd: number | null;
  ci_low: number | null;
  ci_high: number | null;
  margin: number | null;
  peak_rss_bytes: number | null;
  checksum: string | null;
  gil_after_load: number | null;
  gil_after_run: number | null;
  load_before: number | null;
  load_after: number | null;
  wall_ms: number;
  warnings: string;
  error: string | null;
  suite: string;
  benchmark: string;
  case_key: string;
  params: string;
  mode_name: string;
  mode_kind: 'gil' | 'nogil' | 'ft-gil';
}

const SERIES_COLUMNS = `
  se.id, se.machine_id, m.hostname, s.name AS suite, b.name AS benchmark, c.params, c.key AS case_key,
  se.mode_name, se.mode, se.baseline_from, se.last_started_at, se.point_count`;
const SERIES_JOINS = `
  JOIN machines m ON m.id = se.machine_id
  JOIN cases c ON c.id = se.case_id
  JOIN benchmarks b ON b.id = c.benchmark_id
  JOIN suites s ON s.id = b.suite_id`;

interface SeriesDbRow {
  id: number;
  machine_id: number;
  hostname: string;
  suite: string;
  benchmark: string;
  params: string;
  case_key: string;
  mode_name: string;
  mode: 'gil' | 'nogil' | 'ft-gil';
  baseline_from: number | null;
  last_started_at: number | null;
  point_count: number;
}

const REGRESSION_COLUMNS = `
  g.*, se.machine_id, m.hostname, s.name AS suite, b.name AS benchmark, c.params, c.key AS case_key,
  se.mode_name, se.mode AS mode_kind, ru.id AS run_uuid, pr.id AS previous_run_uuid, dr.id AS detected_run_uuid`;
const REGRESSION_JOINS = `
  JOIN series se ON se.id = g.series_id
  JOIN machines m ON m.id = se.machine_id
  JOIN cases c ON c.id = se.case_id
  JOIN benchmarks b ON b.id = c.benchmark_id
  JOIN suites s ON s.id = b.suite_id
  JOIN runs ru ON ru.pk = g.run_pk
  LEFT JOIN runs pr ON pr.pk = g.previous_run_pk
  LEFT JOIN runs dr ON dr.pk = g.detected_run_pk`;

/** Most bytes of history columns kept in memory (about 20 series of 10,000 points). */
const POINTS_CACHE_BYTES = 32 * 2 ** 20;
/** Series with at most this many points are kept whole in memory; longer ones are read per request. */
const WHOLE_SERIES_POINTS = 20_000;
/** The history columns, in the order `HistoryColumns` names them. */
const HISTORY_COLUMNS = ['runId', 'at', 'status', 'n', 'median', 'ciLow', 'ciHigh'] as const;

/**
 * A whole series' points as the JSON text of each column (without its brackets) and where each
 * element starts in it, so the JSON of any run of points is one substring per column.
 */
interface SeriesColumns {
  version: number;
  /** Each point's start time, oldest first: the order of the columns. */
  at: number[];
  columns: string[];
  /** Where each element starts in each column, found when a request first needs part of the series. */
  starts: Uint32Array[] | null;
  bytes: number;
}

/**
 * Where each element of a JSON array's inner text starts, plus one entry past the end.
 * The elements are numbers, null, statuses and run ids (uuids): none holds a comma.
 */
function elementStarts(text: string, count: number): Uint32Array {
  const starts = new Uint32Array(count + 1);
  let comma = -1;
  for (let k = 1; k < count; k++) {
    comma = text.indexOf(',', comma + 1); // a native scan; a loop over characters is several times slower
    starts[k] = comma + 1;
  }
  starts[count] = text.length + 1;
  return starts;
}

/** `{"runId":[...],"at":[...],...}` from the columns' inner texts. */
function columnsObject(texts: readonly string[]): string {
  return `{${HISTORY_COLUMNS.map((name, i) => `"${name}":[${texts[i]}]`).join(',')}}`;
}

/**
 * The newest `limit` points of a whole series with `from <= at <= to`, as `HistoryColumns`
 * JSON, and the first and last point's time (null when none).
 */
function sliceColumns(
  whole: SeriesColumns,
  from: number,
  to: number,
  limit: number,
): [string, number | null, number | null] {
  const end = searchSorted(whole.at, to, true);
  const start = Math.max(searchSorted(whole.at, from, false), end - limit);
  if (start >= end) return [columnsObject(HISTORY_COLUMNS.map(() => '')), null, null];
  if (start === 0 && end === whole.at.length)
    return [columnsObject(whole.columns), whole.at[start]!, whole.at[end - 1]!];
  whole.starts ??= whole.columns.map((text) => elementStarts(text, whole.at.length));
  const starts = whole.starts;
  const texts = whole.columns.map((text, c) => text.slice(starts[c]![start]!, starts[c]![end]! - 1));
  return [columnsObject(texts), whole.at[start]!, whole.at[end - 1]!];
}

/** The first index whose value is >= `value` (or > it, with `after`) in ascending `values`. */
function searchSorted(values: readonly number[], value: number, after: boolean): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (after ? values[mid]! <= value : values[mid]! < value) low = mid + 1;
    else high = mid;
  }
  return low;
}

interface AppendedPoint {
  seriesId: number;
  /** The series' version after this point. */
  version: number;
  startedAt: number;
  runPk: number;
  /** Null when the result is not one the detector reads (not ok, or no level). */
  point: { level: number; rse: number } | null;
}

interface CachedWindow extends DetectionWindow {
  version: number;
  size: number;
  startedAts: number[];
}

/**
 * The detector's windows, kept between uploads and keyed by the series'
 * version (bumped in the database by every change to a series): a window is
 * used only when no one, in this process or another, changed the series since.
 * An upload extends a cached window in place instead of reading it again.
 */
class WindowCache {
  readonly #entries = new Map<number, CachedWindow>();
  constructor(readonly capacity: number) {}

  get(seriesId: number, version: number, size: number): CachedWindow | null {
    const entry = this.#entries.get(seriesId);
    if (!entry || entry.version !== version || entry.size !== size) return null;
    this.#entries.delete(seriesId); // most recently used last
    this.#entries.set(seriesId, entry);
    return entry;
  }

  set(window: CachedWindow): void {
    this.#entries.delete(window.seriesId);
    this.#entries.set(window.seriesId, window);
    if (this.#entries.size > this.capacity) this.#entries.delete(this.#entries.keys().next().value!);
  }

  /** Adds a committed point, when the window was current just before it and the point is the newest. */
  append(a: AppendedPoint): void {
    const w = this.#entries.get(a.seriesId);
    if (!w) return;
    const last = w.startedAts.at(-1);
    if (w.version !== a.version - 1 || (last !== undefined && a.startedAt < last)) {
      this.#entries.delete(a.seriesId);
      return;
    }
    w.version = a.version;
    if (!a.point) return;
    w.points.push(a.point);
    w.runPks.push(a.runPk);
    w.startedAts.push(a.startedAt);
    if (w.points.length > w.size) {
      w.points.shift();
      w.runPks.shift();
      w.startedAts.shift();
      w.boundaries = w.boundaries.map((b) => b - 1).filter((b) => b >= 0);
      w.skip = new Set([...w.skip].map((i) => i - 1).filter((i) => i >= 0));
    }
  }
}

export class SqliteRepository implements Repository {
  readonly kind = 'sqlite';
  readonly #open: OpenDatabase;
  readonly #statements = new Map<string, import('better-sqlite3').Statement>();
  readonly #windows = new WindowCache(20_000);
  /** Run ids by internal key (a deleted run's key is never reused: AUTOINCREMENT). */
  readonly #runIdCache = new Map<number, string>();
  /** Whole series' history columns by series id, least recently used first. */
  readonly #pointsCache = new Map<number, SeriesColumns>();
  #pointsCacheBytes = 0;
  /**
   * Ids of rows that are only ever added (benchmarks, cases, modes), by natural key. Entries
   * made inside a transaction join the cache only once it commits, so a rollback leaves no
   * id of a row that does not exist.
   */
  readonly #ids = new Map<string, number>();
  #pendingIds: Map<string, number> | null = null;

  readonly #wholeSeriesPoints: number;

  constructor(open: OpenDatabase, options: SqliteRepositoryOptions = {}) {
    this.#open = open;
    this.#wholeSeriesPoints = options.wholeSeriesPoints ?? WHOLE_SERIES_POINTS;
  }

  /** The database file (or `:memory:`). */
  get file(): string {
    return this.#open.file;
  }

  /** The underlying connection, for tests and the benchmark. */
  get sqlite(): OpenDatabase['sqlite'] {
    return this.#open.sqlite;
  }

  close(): void {
    this.#open.close();
  }

  get #db() {
    return this.#open.db;
  }

  /** A prepared statement, made once per connection. */
  #sql(text: string): import('better-sqlite3').Statement {
    let statement = this.#statements.get(text);
    if (!statement) {
      statement = this.#open.sqlite.prepare(text);
      this.#statements.set(text, statement);
    }
    return statement;
  }

  /** Runs `fn` in one write transaction (taken up front, so two writers queue instead of deadlocking). */
  #write<T>(fn: () => T): T {
    if (this.#pendingIds) return fn(); // nested: part of the outer transaction
    this.#pendingIds = new Map();
    try {
      const result = this.#open.sqlite.transaction(fn).immediate();
      for (const [key, id] of this.#pendingIds) this.#ids.set(key, id);
      return result;
    } finally {
      this.#pendingIds = null;
    }
  }

  /** The id of a row that is only ever added, from the cache or from `make` (which inserts or finds it). */
  #idOf(key: string, make: () => number): number {
    const known = this.#ids.get(key) ?? this.#pendingIds?.get(key);
    if (known !== undefined) return known;
    const id = make();
    if (this.#pendingIds) this.#pendingIds.set(key, id);
    return id;
  }

  // ---------------------------------------------------------------- tokens

  async createToken(
    input: { role: TokenRole; name?: string; machineId?: number | null },
    now: number,
  ): Promise<{ token: string; info: TokenInfo }> {
    const token = generateToken();
    return { token, info: this.#insertToken(token, input, now) };
  }

  async importToken(token: string, input: { role: TokenRole; name?: string }, now: number): Promise<TokenInfo> {
    if (!plausibleToken(token)) throw new DomainError('invalid', 'a token must be 24 to 512 printable characters');
    const { id, digest } = hashToken(token);
    const existing = this.#db.select().from(tokens).where(eq(tokens.id, id)).get();
    if (existing && digestMatches(existing.secretHash, digest)) {
      if (existing.role !== input.role)
        throw new DomainError('conflict', `that token is stored with role ${existing.role}`);
      if (existing.revokedAt !== null) throw new DomainError('conflict', 'that token was revoked');
      return tokenInfo(existing);
    }
    return this.#insertToken(token, input, now);
  }

  #insertToken(token: string, input: { role: TokenRole; name?: string; machineId?: number | null }, now: number) {
    const { id, digest } = hashToken(token);
    const row = this.#db
      .insert(tokens)
      .values({
        id,
        secretHash: digest,
        role: input.role,
        machineId: input.machineId ?? null,
        name: input.name ?? '',
        createdAt: now,
      })
      .returning()
      .get();
    return tokenInfo(row);
  }

  async verifyToken(token: string, now: number): Promise<TokenInfo | null> {
    if (!plausibleToken(token)) return null;
    const { id, digest } = hashToken(token);
    const row = this.#sql('SELECT * FROM tokens WHERE id = ?').get(id) as
      | {
          id: string;
          secret_hash: Buffer;
          role: TokenRole;
          machine_id: number | null;
          name: string;
          created_at: number;
          last_used_at: number | null;
          revoked_at: number | null;
        }
      | undefined;
    // Compare against something even when the id is unknown, so both paths cost the same.
    const matches = digestMatches(row?.secret_hash ?? Buffer.alloc(32), digest);
    if (!row || !matches || row.revoked_at !== null) return null;
    // Recording every use would make every read a write; once a minute is enough to see a token is alive.
    if (row.last_used_at === null || now - row.last_used_at > 60_000) {
      // Best-effort: a read must not fail because this write did (a full disk, a lock held elsewhere).
      try {
        this.#sql('UPDATE tokens SET last_used_at = ? WHERE id = ?').run(now, id);
      } catch {}
    }
    return {
      id: row.id,
      role: row.role,
      machineId: row.machine_id,
      name: row.name,
      createdAt: row.created_at,
      lastUsedAt: now,
      revokedAt: null,
    };
  }

  async listTokens(): Promise<TokenInfo[]> {
    return this.#db.select().from(tokens).orderBy(asc(tokens.createdAt)).all().map(tokenInfo);
  }

  async revokeToken(id: string, now: number): Promise<TokenInfo> {
    const row = this.#db
      .update(tokens)
      .set({ revokedAt: sql`coalesce(${tokens.revokedAt}, ${now})` })
      .where(eq(tokens.id, id))
      .returning()
      .get();
    if (!row) throw new DomainError('not-found', `no token ${id}`);
    return tokenInfo(row);
  }

  // -------------------------------------------------------------- machines

  async enrollMachine(machine: Machine, now: number): Promise<{ machine: MachineInfo; token: string }> {
    const token = generateToken();
    const machineId = this.#write(() => {
      const id = this.#upsertMachine(machine, now);
      this.#sql('UPDATE tokens SET revoked_at = ? WHERE machine_id = ? AND role = ? AND revoked_at IS NULL').run(
        now,
        id,
        'agent',
      );
      this.#insertToken(token, { role: 'agent', machineId: id, name: `agent ${machine.hostname}` }, now);
      return id;
    });
    return { machine: (await this.getMachine(machineId))!, token };
  }

  /**
   * Creates or refreshes a machine by fingerprint; returns its id. The labels
   * a report carries are added to the stored ones, never put in their place:
   * an admin's labels (PATCH) survive the agent's next heartbeat or upload.
   */
  #upsertMachine(m: Machine, now: number): number {
    const row = this.#sql(
      `INSERT INTO machines (fingerprint, hostname, os, kernel, arch, cpu, memory_bytes, details, labels, first_seen, last_seen)
       VALUES (@fingerprint, @hostname, @os, @kernel, @arch, @cpu, @memoryBytes, @details, @labels, @now, @now)
       ON CONFLICT (fingerprint) DO UPDATE SET hostname = excluded.hostname, os = excluded.os, kernel = excluded.kernel,
         arch = excluded.arch, cpu = excluded.cpu, memory_bytes = excluded.memory_bytes, details = excluded.details,
         labels = (SELECT json_group_array(value) FROM (
           SELECT value FROM json_each(machines.labels) UNION SELECT value FROM json_each(excluded.labels))),
         last_seen = max(last_seen, excluded.last_seen)
       RETURNING id`,
    ).get({
      fingerprint: m.fingerprint,
      hostname: m.hostname,
      os: m.os,
      kernel: m.kernel,
      arch: m.arch,
      cpu: JSON.stringify(m.cpu),
      memoryBytes: m.memoryBytes,
      details: JSON.stringify(m.details ?? {}),
      labels: JSON.stringify(m.labels ?? []),
      now,
    }) as { id: number };
    return row.id;
  }

  async heartbeat(machineId: number, machine: Machine | null, now: number): Promise<MachineInfo> {
    this.#write(() => {
      const row = this.#db
        .select({ fingerprint: machines.fingerprint })
        .from(machines)
        .where(eq(machines.id, machineId))
        .get();
      if (!row) throw new DomainError('not-found', `no machine ${machineId}`);
      if (machine && machine.fingerprint !== row.fingerprint) {
        throw new DomainError('forbidden', 'the machine facts sent belong to another machine (fingerprint differs)');
      }
      if (machine) this.#upsertMachine(machine, now);
      this.#db
        .update(machines)
        .set({ lastSeen: sql`max(${machines.lastSeen}, ${now})` })
        .where(eq(machines.id, machineId))
        .run();
    });
    return (await this.getMachine(machineId))!;
  }

  async getMachine(id: number): Promise<MachineInfo | null> {
    return (await this.#machines(id))[0] ?? null;
  }

  async listMachines(): Promise<MachineInfo[]> {
    return this.#machines(null);
  }

  async #machines(id: number | null): Promise<MachineInfo[]> {
    const rows = this.#sql(
      `SELECT m.*,
         (SELECT count(*) FROM runs WHERE machine_id = m.id) AS run_count,
         (SELECT id FROM runs WHERE machine_id = m.id ORDER BY started_at DESC, pk DESC LIMIT 1) AS latest_run,
         (SELECT count(*) FROM regressions g JOIN series se ON se.id = g.series_id
            WHERE se.machine_id = m.id AND g.status = 'new') AS open_regressions
       FROM machines m WHERE (@id IS NULL OR m.id = @id) ORDER BY m.hostname, m.id`,
    ).all({ id }) as Array<Record<string, unknown>>;
    const latest = await this.#runInfos(rows.map((r) => r.latest_run as string | null).filter((r) => r !== null));
    const byId = new Map(latest.map((r) => [r.id, r]));
    return rows.map((r) => ({
      id: r.id as number,
      fingerprint: r.fingerprint as string,
      hostname: r.hostname as string,
      os: r.os as string,
      kernel: r.kernel as string,
      arch: r.arch as string,
      cpu: parseJson(r.cpu as string),
      memoryBytes: r.memory_bytes as number,
      labels: parseJson(r.labels as string),
      details: parseJson(r.details as string),
      firstSeen: r.first_seen as number,
      lastSeen: r.last_seen as number,
      runCount: r.run_count as number,
      latestRun: r.latest_run ? (byId.get(r.latest_run as string) ?? null) : null,
      openRegressions: r.open_regressions as number,
    }));
  }

  async setMachineLabels(id: number, labels: string[], _now: number): Promise<MachineInfo> {
    const done = this.#db.update(machines).set({ labels }).where(eq(machines.id, id)).run();
    if (done.changes === 0) throw new DomainError('not-found', `no machine ${id}`);
    return (await this.getMachine(id))!;
  }

  // ------------------------------------------------------------------ runs

  async ingestRun(doc: RunDocument, ctx: { uploadedBy: string | null; now: number }): Promise<IngestOutcome> {
    const outcome = this.#write(
      (): {
        created: boolean;
        runPk: number;
        machineId: number | null;
        seriesIds: number[];
        appended: AppendedPoint[];
      } => {
        const existing = this.#sql(
          'SELECT r.pk, m.fingerprint FROM runs r JOIN machines m ON m.id = r.machine_id WHERE r.id = ?',
        ).get(doc.id) as { pk: number; fingerprint: string } | undefined;
        if (existing) {
          if (existing.fingerprint !== doc.machine.fingerprint) {
            throw new DomainError('conflict', `run ${doc.id} is stored already, from another machine`);
          }
          return { created: false, runPk: existing.pk, machineId: null, seriesIds: [], appended: [] };
        }
        return { created: true, ...this.#insertRun(doc, ctx) };
      },
    );
    // Committed: the detector's cached windows can take the new points.
    for (const a of outcome.appended) this.#windows.append(a);
    const run =
      outcome.created && outcome.machineId !== null
        ? {
            // What was just stored, without reading it back.
            id: doc.id,
            machineId: outcome.machineId,
            hostname: doc.machine.hostname,
            startedAt: Date.parse(doc.startedAt),
            finishedAt: Date.parse(doc.finishedAt),
            profile: doc.profile,
            gilbenchVersion: doc.gilbenchVersion,
            jobId: doc.jobId,
            modes: doc.modes,
            resultCount: doc.results.length,
            warnings: doc.warnings,
            receivedAt: ctx.now,
          }
        : (await this.#runInfos([doc.id]))[0]!;
    return { created: outcome.created, runPk: outcome.runPk, seriesIds: outcome.seriesIds, run };
  }

  #insertRun(
    doc: RunDocument,
    ctx: { uploadedBy: string | null; now: number },
  ): { runPk: number; machineId: number; seriesIds: number[]; appended: AppendedPoint[] } {
    const machineId = this.#upsertMachine(doc.machine, ctx.now);
    const startedAt = Date.parse(doc.startedAt);
    const { pk: runPk } = this.#sql(
      `INSERT INTO runs (id, machine_id, job_id, started_at, finished_at, started_at_text, finished_at_text, profile,
         gilbench_version, machine, suites, warnings, result_count, received_at, uploaded_by)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING pk`,
    ).get(
      doc.id,
      machineId,
      doc.jobId,
      startedAt,
      Date.parse(doc.finishedAt),
      doc.startedAt,
      doc.finishedAt,
      doc.profile,
      doc.gilbenchVersion,
      JSON.stringify(doc.machine),
      JSON.stringify(doc.suites),
      JSON.stringify(doc.warnings),
      doc.results.length,
      ctx.now,
      ctx.uploadedBy,
    ) as { pk: number };

    const modeIds = new Map<string, { id: number; mode: string }>();
    for (const [position, mode] of doc.modes.entries()) {
      const id = this.#idOf(`mode\u0000${machineId}\u0000${canonicalJson(mode)}`, () =>
        this.#upsertMode(machineId, mode),
      );
      modeIds.set(mode.id, { id, mode: mode.mode });
      this.#sql('INSERT INTO run_modes (run_pk, position, mode_id) VALUES (?, ?, ?)').run(runPk, position, id);
    }

    const benchmarkIds = new Map<string, number>();
    const descriptions = new Map<string, string>();
    for (const suite of doc.suites) {
      descriptions.set(suite.name, suite.description);
      for (const b of suite.benchmarks) descriptions.set(`${suite.name}/${b.name}`, b.description);
    }
    const benchmarkId = (suite: string, benchmark: string): number => {
      const key = `${suite}/${benchmark}`;
      let id = benchmarkIds.get(key);
      // Descriptions are refreshed once per upload and benchmark; the ids come from the cache after that.
      if (id === undefined) {
        const { id: suiteId } = this.#sql(
          `INSERT INTO suites (name, description) VALUES (?, ?)
           ON CONFLICT (name) DO UPDATE SET description = coalesce(?, description) RETURNING id`,
        ).get(suite, descriptions.get(suite) ?? '', descriptions.get(suite) ?? null) as { id: number };
        ({ id } = this.#sql(
          `INSERT INTO benchmarks (suite_id, name, description) VALUES (?, ?, ?)
           ON CONFLICT (suite_id, name) DO UPDATE SET description = coalesce(?, description) RETURNING id`,
        ).get(suiteId, benchmark, descriptions.get(key) ?? '', descriptions.get(key) ?? null) as { id: number });
        benchmarkIds.set(key, id);
      }
      return id;
    };

    const insertCase = this.#sql(
      `INSERT INTO cases (benchmark_id, key, params) VALUES (?, ?, ?)
       ON CONFLICT (benchmark_id, key) DO UPDATE SET key = excluded.key RETURNING id`,
    );
    const insertSeries = this.#sql(
      `INSERT INTO series (machine_id, case_id, mode_name, mode, last_started_at, point_count, version)
       VALUES (?, ?, ?, ?, ?, 1, 1)
       ON CONFLICT (machine_id, case_id, mode_name) DO UPDATE SET point_count = point_count + 1,
         last_started_at = max(coalesce(last_started_at, 0), excluded.last_started_at), version = version + 1
       RETURNING id, version`,
    );
    const insertResult = this.#sql(
      `INSERT INTO results (run_pk, position, series_id, case_id, mode_id, started_at, status, unit, loop_cost_ns, loops,
         ops_per_loop, processes, n, mean, median, min, max, sd, ci_low, ci_high, margin, peak_rss_bytes, checksum,
         gil_after_load, gil_after_run, load_before, load_after, wall_ms, warnings, error, level_ns, level_rse, samples)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const seriesIds: number[] = [];
    const appended: AppendedPoint[] = [];
    for (const [position, r] of doc.results.entries()) {
      const key = caseKey(r.params);
      const bench = benchmarkId(r.suite, r.benchmark);
      const caseRowId = this.#idOf(
        `case\u0000${bench}\u0000${key}`,
        () => (insertCase.get(bench, key, JSON.stringify(r.params)) as { id: number }).id,
      );
      const mode = modeIds.get(r.mode)!;
      const { id: seriesId, version } = insertSeries.get(machineId, caseRowId, r.mode, mode.mode, startedAt) as {
        id: number;
        version: number;
      };
      const point = r.status === 'ok' ? pointFromSamples(r.samples, r.loopCostNs) : null;
      const s = r.stats;
      insertResult.run(
        runPk,
        position,
        seriesId,
        caseRowId,
        mode.id,
        startedAt,
        r.status,
        r.unit,
        r.loopCostNs,
        r.loops,
        r.opsPerLoop,
        r.processes,
        s?.n ?? null,
        s?.mean ?? null,
        s?.median ?? null,
        s?.min ?? null,
        s?.max ?? null,
        s?.sd ?? null,
        s?.ciLow ?? null,
        s?.ciHigh ?? null,
        s?.margin ?? null,
        r.peakRssBytes,
        r.checksum,
        r.gil.afterLoad === null ? null : Number(r.gil.afterLoad),
        r.gil.afterRun === null ? null : Number(r.gil.afterRun),
        r.load.before,
        r.load.after,
        r.wallMs,
        JSON.stringify(r.warnings),
        r.error === null ? null : JSON.stringify(r.error),
        point?.level ?? null,
        point?.rse ?? null,
        encodeSamples(r.samples),
      );
      seriesIds.push(seriesId);
      appended.push({ seriesId, version, startedAt, runPk, point });
    }
    return { runPk, machineId, seriesIds: [...new Set(seriesIds)], appended };
  }

  #upsertMode(machineId: number, mode: Mode): number {
    const rt = mode.runtime;
    const { id: runtimeId } = this.#sql(
      `INSERT INTO runtimes (machine_id, key, name, implementation, version, free_threaded, gil_enabled_by_default,
         configure_args, compiler, revision, executable, sha256)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (machine_id, key) DO UPDATE SET key = excluded.key RETURNING id`,
    ).get(
      machineId,
      canonicalJson(rt),
      rt.id,
      rt.implementation,
      rt.version,
      Number(rt.freeThreaded),
      Number(rt.gilEnabledByDefault),
      rt.configureArgs,
      rt.compiler,
      rt.revision,
      rt.executable,
      rt.sha256,
    ) as { id: number };
    const { id } = this.#sql(
      `INSERT INTO modes (runtime_id, key, name, mode, env) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (runtime_id, key) DO UPDATE SET key = excluded.key RETURNING id`,
    ).get(
      runtimeId,
      canonicalJson({ id: mode.id, mode: mode.mode, env: mode.env }),
      mode.id,
      mode.mode,
      JSON.stringify(mode.env),
    ) as { id: number };
    return id;
  }

  /** Run summaries for these run ids, in the order given. */
  async #runInfos(ids: readonly string[]): Promise<RunInfo[]> {
    if (ids.length === 0) return [];
    const rows = this.#sql(
      `SELECT r.pk, r.id, r.machine_id, m.hostname, r.started_at, r.finished_at, r.profile, r.gilbench_version, r.job_id,
         r.result_count, r.warnings, r.received_at
       FROM runs r JOIN machines m ON m.id = r.machine_id
       WHERE r.id IN (SELECT value FROM json_each(?))`,
    ).all(JSON.stringify(ids)) as Array<Record<string, unknown>>;
    const modes = this.#modesOf(rows.map((r) => r.pk as number));
    const byId = new Map(rows.map((r) => [r.id as string, r]));
    return ids
      .map((id) => byId.get(id))
      .filter((r) => r !== undefined)
      .map((r) => ({
        id: r.id as string,
        machineId: r.machine_id as number,
        hostname: r.hostname as string,
        startedAt: r.started_at as number,
        finishedAt: r.finished_at as number,
        profile: r.profile as string,
        gilbenchVersion: r.gilbench_version as string,
        jobId: r.job_id as string | null,
        modes: modes.get(r.pk as number) ?? [],
        resultCount: r.result_count as number,
        warnings: parseJson(r.warnings as string),
        receivedAt: r.received_at as number,
      }));
  }

  /** The modes (as in the run document) of each run. */
  #modesOf(runPks: readonly number[]): Map<number, Mode[]> {
    const rows = this.#sql(
      `SELECT rm.run_pk, mo.name, mo.mode, mo.env, rt.name AS runtime_name, rt.implementation, rt.version,
         rt.free_threaded, rt.gil_enabled_by_default, rt.configure_args, rt.compiler, rt.revision, rt.executable, rt.sha256
       FROM run_modes rm JOIN modes mo ON mo.id = rm.mode_id JOIN runtimes rt ON rt.id = mo.runtime_id
       WHERE rm.run_pk IN (SELECT value FROM json_each(?)) ORDER BY rm.run_pk, rm.position`,
    ).all(JSON.stringify(runPks)) as Array<Record<string, unknown>>;
    const out = new Map<number, Mode[]>();
    for (const r of rows) {
      const list = out.get(r.run_pk as number) ?? [];
      list.push({
        id: r.name as string,
        mode: r.mode as Mode['mode'],
        env: parseJson(r.env as string),
        runtime: {
          id: r.runtime_name as string,
          implementation: r.implementation as string,
          version: r.version as string,
          freeThreaded: r.free_threaded === 1,
          gilEnabledByDefault: r.gil_enabled_by_default === 1,
          configureArgs: r.configure_args as string,
          compiler: r.compiler as string,
          revision: r.revision as string | null,
          executable: r.executable as string,
          sha256: r.sha256 as string,
        },
      });
      out.set(r.run_pk as number, list);
    }
    return out;
  }

  /** Run ids by internal key. A run's id never changes, so known ones come from memory. */
  #runIds(pks: readonly number[]): Map<number, string> {
    const out = new Map<number, string>();
    const missing: number[] = [];
    for (const pk of pks) {
      const id = this.#runIdCache.get(pk);
      if (id === undefined) missing.push(pk);
      else out.set(pk, id);
    }
    if (missing.length) {
      const rows = this.#sql('SELECT pk, id FROM runs WHERE pk IN (SELECT value FROM json_each(?))')
        .raw()
        .all(JSON.stringify(missing)) as Array<[number, string]>;
      if (this.#runIdCache.size + rows.length > 1_000_000) this.#runIdCache.clear();
      for (const [pk, id] of rows) {
        out.set(pk, id);
        this.#runIdCache.set(pk, id);
      }
    }
    return out;
  }

  async getRun(id: string, opts: { samples?: boolean } = {}): Promise<RunDetail | null> {
    const head = this.#sql('SELECT pk, machine, suites FROM runs WHERE id = ?').get(id) as
      | { pk: number; machine: string; suites: string }
      | undefined;
    if (!head) return null;
    const info = (await this.#runInfos([id]))[0]!;
    const rows = this.#sql(
      `SELECT ${RESULT_COLUMNS}${opts.samples ? ', r.samples' : ''} FROM results r ${RESULT_JOINS}
       WHERE r.run_pk = ? ORDER BY r.position`,
    ).all(head.pk) as Array<ResultDbRow & { samples?: Buffer }>;
    return {
      ...info,
      machine: parseJson(head.machine),
      suites: parseJson(head.suites),
      results: rows.map((row) => resultRow(row, opts.samples ? decodeSamples(row.samples!) : undefined)),
    };
  }

  async getRunDocument(id: string): Promise<RunDocument | null> {
    const head = this.#sql(
      `SELECT pk, id, job_id, started_at_text, finished_at_text, profile, gilbench_version, machine, suites, warnings
       FROM runs WHERE id = ?`,
    ).get(id) as Record<string, unknown> | undefined;
    if (!head) return null;
    const detail = (await this.getRun(id, { samples: true }))!;
    return {
      schema: 'gilbench.run/v1',
      id: head.id as string,
      startedAt: head.started_at_text as string,
      finishedAt: head.finished_at_text as string,
      profile: head.profile as string,
      gilbenchVersion: head.gilbench_version as string,
      machine: parseJson(head.machine as string),
      jobId: head.job_id as string | null,
      modes: detail.modes,
      suites: parseJson(head.suites as string),
      results: detail.results.map((r) => ({
        suite: r.suite,
        benchmark: r.benchmark,
        params: r.params,
        mode: r.mode,
        status: r.status,
        unit: r.unit,
        samples: r.samples!,
        loopCostNs: r.loopCostNs,
        loops: r.loops,
        opsPerLoop: r.opsPerLoop,
        processes: r.processes,
        stats: r.stats,
        peakRssBytes: r.peakRssBytes,
        checksum: r.checksum,
        gil: r.gil,
        load: r.load,
        wallMs: r.wallMs,
        warnings: r.warnings,
        error: r.error,
      })),
      warnings: parseJson(head.warnings as string),
    };
  }

  async listRuns(filter: { machine?: number; before?: number; limit?: number }): Promise<RunInfo[]> {
    const rows = this.#sql(
      `SELECT id FROM runs WHERE (@machine IS NULL OR machine_id = @machine) AND (@before IS NULL OR started_at < @before)
       ORDER BY started_at DESC, pk DESC LIMIT @limit`,
    ).all({ machine: filter.machine ?? null, before: filter.before ?? null, limit: filter.limit ?? 100 }) as Array<{
      id: string;
    }>;
    return this.#runInfos(rows.map((r) => r.id));
  }

  async deleteRun(id: string): Promise<boolean> {
    return this.#write(() => {
      const run = this.#sql('SELECT pk FROM runs WHERE id = ?').get(id) as { pk: number } | undefined;
      if (!run) return false;
      const touched = this.#sql('SELECT DISTINCT series_id FROM results WHERE run_pk = ?').all(run.pk) as Array<{
        series_id: number;
      }>;
      this.#sql('DELETE FROM runs WHERE pk = ?').run(run.pk);
      const recount = this.#sql(
        `UPDATE series SET point_count = (SELECT count(*) FROM results WHERE series_id = series.id),
           last_started_at = (SELECT max(started_at) FROM results WHERE series_id = series.id), version = version + 1
         WHERE id = ?`,
      );
      for (const t of touched) recount.run(t.series_id);
      return true;
    });
  }

  // ---------------------------------------------------------------- series

  async listSeries(filter: SeriesFilter): Promise<SeriesInfo[]> {
    const rows = this.#sql(
      `SELECT ${SERIES_COLUMNS} FROM series se ${SERIES_JOINS}
       WHERE (@machine IS NULL OR se.machine_id = @machine) AND (@suite IS NULL OR s.name = @suite)
         AND (@benchmark IS NULL OR b.name = @benchmark) AND (@caseKey IS NULL OR c.key = @caseKey)
         AND (@mode IS NULL OR se.mode_name = @mode OR se.mode = @mode)
       ORDER BY se.machine_id, s.name, b.name, c.key, se.mode_name LIMIT @limit`,
    ).all({
      machine: filter.machine ?? null,
      suite: filter.suite ?? null,
      benchmark: filter.benchmark ?? null,
      caseKey: filter.caseKey ?? null,
      mode: filter.mode ?? null,
      limit: filter.limit ?? 10_000,
    }) as SeriesDbRow[];
    return rows.map(seriesInfo);
  }

  async getSeries(id: number): Promise<SeriesInfo | null> {
    const row = this.#sql(`SELECT ${SERIES_COLUMNS} FROM series se ${SERIES_JOINS} WHERE se.id = ?`).get(id) as
      | SeriesDbRow
      | undefined;
    return row ? seriesInfo(row) : null;
  }

  async seriesHistory(id: number, range: { from?: number; to?: number; limit?: number }): Promise<HistoryView | null> {
    const info = await this.getSeries(id);
    if (!info) return null;
    // The newest `limit` points in the range, returned oldest first; read from the covering
    // index alone, with run ids from the cache rather than a join per point.
    const rows = this.#sql(
      `SELECT r.run_pk, r.started_at, r.status, r.n, r.median, r.ci_low, r.ci_high
       FROM results r
       WHERE r.series_id = @id AND r.started_at >= @from AND r.started_at <= @to
       ORDER BY r.started_at DESC, r.run_pk DESC LIMIT @limit`,
    )
      .raw()
      .all({
        id,
        from: range.from ?? Number.MIN_SAFE_INTEGER,
        to: range.to ?? Number.MAX_SAFE_INTEGER,
        limit: range.limit ?? 10_000,
      }) as Array<[number, number, HistoryPoint['status'], number | null, number | null, number | null, number | null]>;
    const runIds = this.#runIds(rows.map((r) => r[0]));
    const points: HistoryPoint[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const [runPk, at, status, n, median, ciLow, ciHigh] = rows[rows.length - 1 - i]!;
      points[i] = { runId: runIds.get(runPk)!, at, status, n, median, ciLow, ciHigh };
    }
    const from = points.length ? points[0]!.at : (range.from ?? 0);
    const to = points.length ? points[points.length - 1]!.at : (range.to ?? 0);
    const [found, notes] = await Promise.all([
      this.listRegressions({ series: id, from, to, limit: 1000 }),
      this.#annotationsFor(info, from, to),
    ]);
    return { series: info, points, regressions: found, annotations: notes };
  }

  async seriesHistoryJson(id: number, range: { from?: number; to?: number; limit?: number }): Promise<string | null> {
    const info = await this.getSeries(id);
    if (!info) return null;
    const from = range.from ?? Number.MIN_SAFE_INTEGER;
    const to = range.to ?? Number.MAX_SAFE_INTEGER;
    const limit = range.limit ?? 10_000;
    // The points change only with the series' version: between uploads, any range of a series
    // (a dashboard zooming, paging) is cut from its columns in memory. Regressions and notes
    // are read fresh every time.
    const whole = info.points <= this.#wholeSeriesPoints ? this.#seriesColumns(id) : null;
    const [points, first, last] = whole
      ? sliceColumns(whole, from, to, limit)
      : this.#historyPoints(id, from, to, limit);
    const [found, notes] = await Promise.all([
      this.listRegressions({ series: id, from: first ?? from, to: last ?? to, limit: 1000 }),
      this.#annotationsFor(info, first ?? from, last ?? to),
    ]);
    return `{"series":${JSON.stringify(info)},"points":${points},"regressions":${JSON.stringify(found)},"annotations":${JSON.stringify(notes)}}`;
  }

  /** A whole series' columns at its current version, from memory or read (and kept) now. */
  #seriesColumns(id: number): SeriesColumns {
    // One read transaction: the version and the points it labels come from the same snapshot.
    return this.#open.sqlite.transaction(() => {
      const version = this.#sql('SELECT version FROM series WHERE id = ?').pluck().get(id) as number;
      const cached = this.#pointsCache.get(id);
      if (cached && cached.version === version) {
        this.#pointsCache.delete(id); // most recently used last
        this.#pointsCache.set(id, cached);
        return cached;
      }
      const [texts] = this.#columnsJson(id, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER);
      const at = JSON.parse(`[${texts[1]}]`) as number[];
      const entry: SeriesColumns = {
        version,
        at,
        columns: texts,
        starts: null,
        bytes: 0,
      };
      // Columns, start times, and the element starts once found.
      entry.bytes = entry.columns.reduce((n, text) => n + text.length, at.length * (8 + 4 * texts.length));
      if (cached) this.#pointsCacheBytes -= cached.bytes;
      this.#pointsCache.delete(id);
      this.#pointsCache.set(id, entry);
      this.#pointsCacheBytes += entry.bytes;
      for (const [key, value] of this.#pointsCache) {
        if (this.#pointsCacheBytes <= POINTS_CACHE_BYTES || key === id) break;
        this.#pointsCache.delete(key);
        this.#pointsCacheBytes -= value.bytes;
      }
      return entry;
    })();
  }

  /**
   * The points' JSON as columns (`HistoryColumns`), built by SQLite from the covering index,
   * scanned oldest first from the oldest point kept (found first, walking back `limit` points
   * from the newest); for a series too long to keep whole in memory.
   */
  #historyPoints(id: number, from: number, to: number, limit: number): [string, number | null, number | null] {
    const cut = this.#sql(
      `SELECT started_at, run_pk FROM results WHERE series_id = @id AND started_at >= @from AND started_at <= @to
       ORDER BY started_at DESC, run_pk DESC LIMIT 1 OFFSET @skip`,
    )
      .raw()
      .get({ id, from, to, skip: limit - 1 }) as [number, number] | undefined;
    const [texts, first, last] = this.#columnsJson(id, cut ? cut[0] : from, to, cut ? cut[1] : Number.MIN_SAFE_INTEGER);
    return [columnsObject(texts), first, last];
  }

  /**
   * The inner JSON text of each history column (no brackets) for the points from
   * (`fromAt`, `fromPk`) to `to`, oldest first, and the first and last point's time. SQLite
   * writes the numbers; run ids come from memory by the runs' keys rather than a join per
   * point (a run's id never changes).
   */
  #columnsJson(id: number, fromAt: number, to: number, fromPk: number): [string[], number | null, number | null] {
    const row = this.#sql(
      `SELECT json_group_array(p.run_pk), json_group_array(p.started_at), json_group_array(p.status),
              json_group_array(p.n), json_group_array(p.median), json_group_array(p.ci_low),
              json_group_array(p.ci_high), min(p.started_at), max(p.started_at)
       FROM (SELECT r.run_pk, r.started_at, r.status, r.n, r.median, r.ci_low, r.ci_high FROM results r
             WHERE r.series_id = @id AND (r.started_at, r.run_pk) >= (@fromAt, @fromPk) AND r.started_at <= @to
             ORDER BY r.started_at, r.run_pk) p`,
    )
      .raw()
      .get({ id, to, fromAt, fromPk }) as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      number | null,
      number | null,
    ];
    const pks = JSON.parse(row[0]) as number[];
    const runIds = new Array<string>(pks.length);
    let missing = false;
    for (let i = 0; i < pks.length; i++) {
      const runId = this.#runIdCache.get(pks[i]!);
      if (runId === undefined) missing = true;
      else runIds[i] = runId;
    }
    if (missing) {
      const ids = this.#runIds(pks);
      for (let i = 0; i < pks.length; i++) runIds[i] = ids.get(pks[i]!)!;
    }
    const texts = [JSON.stringify(runIds), ...row.slice(1, 7)].map((t) => (t as string).slice(1, -1));
    return [texts, row[7], row[8]];
  }

  async #annotationsFor(info: SeriesInfo, from: number, to: number): Promise<Annotation[]> {
    const rows = this.#db
      .select({ a: annotations, runId: runs.id })
      .from(annotations)
      .leftJoin(runs, eq(runs.pk, annotations.runPk))
      .where(
        and(
          gte(annotations.at, from),
          lte(annotations.at, to),
          sql`(${annotations.seriesId} = ${info.id} OR (${annotations.seriesId} IS NULL AND (${annotations.machineId} = ${info.machineId} OR ${annotations.machineId} IS NULL)))`,
        ),
      )
      .orderBy(asc(annotations.at))
      .all();
    return rows.map(({ a, runId }) => annotationView(a, runId));
  }

  async detectionWindow(seriesId: number, size: number): Promise<DetectionWindow> {
    return (await this.detectionWindows([seriesId], size))[0]!;
  }

  async detectionWindows(seriesIds: readonly number[], size: number): Promise<DetectionWindow[]> {
    // One query for every series' version: a cached window whose version matches is current.
    const versions = new Map(
      this.#sql('SELECT id, version FROM series WHERE id IN (SELECT value FROM json_each(?))')
        .raw()
        .all(JSON.stringify(seriesIds)) as Array<[number, number]>,
    );
    return seriesIds.map((seriesId) => {
      const version = versions.get(seriesId);
      if (version === undefined) throw new DomainError('not-found', `no series ${seriesId}`);
      return this.#windows.get(seriesId, version, size) ?? this.#loadWindow(seriesId, version, size);
    });
  }

  #loadWindow(seriesId: number, version: number, size: number): CachedWindow {
    const rows = this.#sql(
      `SELECT r.run_pk, r.started_at, r.level_ns, r.level_rse FROM results r
       WHERE r.series_id = @id AND r.status = 'ok' AND r.level_ns IS NOT NULL
         AND r.started_at >= coalesce((SELECT baseline_from FROM series WHERE id = @id), -9007199254740991)
       ORDER BY r.started_at DESC, r.run_pk DESC LIMIT @size`,
    )
      .raw()
      .all({ id: seriesId, size }) as Array<[number, number, number, number | null]>;
    rows.reverse();
    const window: CachedWindow = {
      seriesId,
      version,
      size,
      runPks: rows.map((r) => r[0]),
      startedAts: rows.map((r) => r[1]),
      points: rows.map((r) => ({ level: r[2], rse: r[3] ?? 0 })),
      boundaries: [],
      skip: new Set(),
    };
    this.#markChanges(window);
    this.#windows.set(window);
    return window;
  }

  /** Fills a window's boundaries (changes found) and skips (changes ignored) from the regressions table. */
  #markChanges(window: CachedWindow): void {
    window.boundaries = [];
    window.skip = new Set();
    if (window.runPks.length === 0) return;
    const index = new Map(window.runPks.map((pk, i) => [pk, i]));
    const known = this.#sql('SELECT run_pk, status FROM regressions WHERE series_id = ?').all(
      window.seriesId,
    ) as Array<{
      run_pk: number;
      status: RegressionStatus;
    }>;
    for (const k of known) {
      const i = index.get(k.run_pk);
      if (i === undefined) continue;
      if (k.status === 'ignored') window.skip.add(i);
      else window.boundaries.push(i);
    }
    window.boundaries.sort((a, b) => a - b);
  }

  async recordChange(
    window: DetectionWindow,
    change: DetectedChange,
    ctx: { method: string; detectedRunPk: number; now: number },
  ): Promise<Regression | null> {
    const runPk = window.runPks[change.index]!;
    const previousRunPk = change.index > 0 ? window.runPks[change.index - 1]! : null;
    const row = this.#sql(
      `INSERT INTO regressions (series_id, run_pk, previous_run_pk, detected_run_pk, kind, status, note, change,
         change_ci_low, change_ci_high, confidence, score, before_ns, after_ns, noise, before_count, after_count, method,
         started_at, detected_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 'new', '', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT started_at FROM runs WHERE pk = ?), ?, ?)
       ON CONFLICT (series_id, run_pk) DO NOTHING RETURNING id`,
    ).get(
      window.seriesId,
      runPk,
      previousRunPk,
      ctx.detectedRunPk,
      change.kind,
      change.change,
      change.ciLow,
      change.ciHigh,
      change.confidence,
      change.score,
      change.before,
      change.after,
      change.noise,
      change.beforeCount,
      change.afterCount,
      ctx.method,
      runPk,
      ctx.now,
      ctx.now,
    ) as { id: number } | undefined;
    if (!row) return null;
    this.#sql('UPDATE series SET version = version + 1 WHERE id = ?').run(window.seriesId);
    return this.getRegression(row.id);
  }

  // ----------------------------------------------------------- regressions

  async listRegressions(filter: RegressionFilter): Promise<Regression[]> {
    const rows = this.#sql(
      `SELECT ${REGRESSION_COLUMNS} FROM regressions g ${REGRESSION_JOINS}
       WHERE (@status IS NULL OR g.status = @status) AND (@kind IS NULL OR g.kind = @kind)
         AND (@machine IS NULL OR se.machine_id = @machine) AND (@series IS NULL OR g.series_id = @series)
         AND (@from IS NULL OR g.started_at >= @from) AND (@to IS NULL OR g.started_at <= @to)
       ORDER BY g.started_at DESC, g.id DESC LIMIT @limit`,
    ).all({
      status: filter.status ?? null,
      kind: filter.kind ?? null,
      machine: filter.machine ?? null,
      series: filter.series ?? null,
      from: filter.from ?? null,
      to: filter.to ?? null,
      limit: filter.limit ?? 500,
    }) as Array<Record<string, unknown>>;
    return rows.map(regressionView);
  }

  async getRegression(id: number): Promise<Regression | null> {
    const row = this.#sql(`SELECT ${REGRESSION_COLUMNS} FROM regressions g ${REGRESSION_JOINS} WHERE g.id = ?`).get(
      id,
    ) as Record<string, unknown> | undefined;
    return row ? regressionView(row) : null;
  }

  async updateRegression(
    id: number,
    patch: { status?: RegressionStatus; note?: string },
    now: number,
  ): Promise<Regression> {
    this.#write(() => {
      const row = this.#db.select().from(regressions).where(eq(regressions.id, id)).get();
      if (!row) throw new DomainError('not-found', `no regression ${id}`);
      this.#db
        .update(regressions)
        .set({ status: patch.status ?? row.status, note: patch.note ?? row.note, updatedAt: now })
        .where(eq(regressions.id, id))
        .run();
      this.#db
        .update(series)
        .set({ version: sql`${series.version} + 1` })
        .where(eq(series.id, row.seriesId))
        .run();
      // Acknowledged: the new level is the series' normal from now on.
      if (patch.status === 'acknowledged' && row.status !== 'acknowledged') {
        this.#db
          .update(series)
          .set({ baselineFrom: sql`max(coalesce(${series.baselineFrom}, 0), ${row.startedAt})` })
          .where(eq(series.id, row.seriesId))
          .run();
      }
    });
    return (await this.getRegression(id))!;
  }

  // ----------------------------------------------------------- annotations

  async listAnnotations(filter: AnnotationFilter): Promise<Annotation[]> {
    const where: SQL[] = [];
    if (filter.machine !== undefined) where.push(eq(annotations.machineId, filter.machine));
    if (filter.series !== undefined) where.push(eq(annotations.seriesId, filter.series));
    if (filter.run !== undefined) where.push(eq(runs.id, filter.run));
    if (filter.from !== undefined) where.push(gte(annotations.at, filter.from));
    if (filter.to !== undefined) where.push(lte(annotations.at, filter.to));
    const rows = this.#db
      .select({ a: annotations, runId: runs.id })
      .from(annotations)
      .leftJoin(runs, eq(runs.pk, annotations.runPk))
      .where(where.length ? and(...where) : undefined)
      .orderBy(desc(annotations.at), desc(annotations.id))
      .limit(filter.limit ?? 1000)
      .all();
    return rows.map(({ a, runId }) => annotationView(a, runId));
  }

  async getAnnotation(id: number): Promise<Annotation | null> {
    const row = this.#db
      .select({ a: annotations, runId: runs.id })
      .from(annotations)
      .leftJoin(runs, eq(runs.pk, annotations.runPk))
      .where(eq(annotations.id, id))
      .get();
    return row ? annotationView(row.a, row.runId) : null;
  }

  /** Checks the references of an annotation and returns the run's key; unknown ones are the caller's mistake. */
  #annotationRefs(input: Partial<AnnotationInput>): { runPk: number | null | undefined; at: number | undefined } {
    if (input.machineId != null && !this.#db.select().from(machines).where(eq(machines.id, input.machineId)).get()) {
      throw new DomainError('invalid', `no machine ${input.machineId}`);
    }
    if (input.seriesId != null && !this.#db.select().from(series).where(eq(series.id, input.seriesId)).get()) {
      throw new DomainError('invalid', `no series ${input.seriesId}`);
    }
    if (input.runId === undefined) return { runPk: undefined, at: undefined };
    if (input.runId === null) return { runPk: null, at: undefined };
    const run = this.#db
      .select({ pk: runs.pk, startedAt: runs.startedAt })
      .from(runs)
      .where(eq(runs.id, input.runId))
      .get();
    if (!run) throw new DomainError('invalid', `no run ${input.runId}`);
    return { runPk: run.pk, at: run.startedAt };
  }

  async createAnnotation(input: AnnotationInput, now: number): Promise<Annotation> {
    const refs = this.#annotationRefs(input);
    const at = input.at ?? refs.at;
    if (at === undefined) throw new DomainError('invalid', 'an annotation needs a time (at) or a run (runId)');
    const row = this.#db
      .insert(annotations)
      .values({
        at,
        text: input.text,
        machineId: input.machineId ?? null,
        seriesId: input.seriesId ?? null,
        runPk: refs.runPk ?? null,
        createdAt: now,
        updatedAt: now,
      })
      .returning({ id: annotations.id })
      .get();
    return (await this.getAnnotation(row.id))!;
  }

  async updateAnnotation(id: number, patch: Partial<AnnotationInput>, now: number): Promise<Annotation> {
    const refs = this.#annotationRefs(patch);
    const done = this.#db
      .update(annotations)
      .set({
        ...(patch.at !== undefined ? { at: patch.at } : {}),
        ...(patch.text !== undefined ? { text: patch.text } : {}),
        ...(patch.machineId !== undefined ? { machineId: patch.machineId } : {}),
        ...(patch.seriesId !== undefined ? { seriesId: patch.seriesId } : {}),
        ...(refs.runPk !== undefined ? { runPk: refs.runPk } : {}),
        updatedAt: now,
      })
      .where(eq(annotations.id, id))
      .run();
    if (done.changes === 0) throw new DomainError('not-found', `no annotation ${id}`);
    return (await this.getAnnotation(id))!;
  }

  async deleteAnnotation(id: number): Promise<boolean> {
    return this.#db.delete(annotations).where(eq(annotations.id, id)).run().changes > 0;
  }

  // ------------------------------------------------------------- schedules

  async listSchedules(): Promise<Schedule[]> {
    return this.#db.select().from(schedules).orderBy(asc(schedules.id)).all().map(scheduleView);
  }

  async getSchedule(id: number): Promise<Schedule | null> {
    const row = this.#db.select().from(schedules).where(eq(schedules.id, id)).get();
    return row ? scheduleView(row) : null;
  }

  async createSchedule(input: ScheduleInput, now: number): Promise<Schedule> {
    const row = this.#db
      .insert(schedules)
      .values({
        name: input.name,
        cron: input.cron,
        timezone: input.timezone ?? null,
        suites: input.suites,
        modes: input.modes,
        labels: input.labels ?? [],
        profile: input.profile ?? null,
        enabled: input.enabled ?? true,
        // Slots before the schedule existed are not owed a job.
        lastSlot: now,
        createdAt: now,
        updatedAt: now,
      })
      .returning()
      .get();
    return scheduleView(row);
  }

  async updateSchedule(id: number, patch: Partial<ScheduleInput>, now: number): Promise<Schedule> {
    const row = this.#db
      .update(schedules)
      .set({ ...patch, updatedAt: now })
      .where(eq(schedules.id, id))
      .returning()
      .get();
    if (!row) throw new DomainError('not-found', `no schedule ${id}`);
    return scheduleView(row);
  }

  async deleteSchedule(id: number): Promise<boolean> {
    return this.#db.delete(schedules).where(eq(schedules.id, id)).run().changes > 0;
  }

  async createScheduledJob(scheduleId: number, slot: number, now: number): Promise<Job | null> {
    return this.#write(() => {
      const s = this.#db.select().from(schedules).where(eq(schedules.id, scheduleId)).get();
      if (!s) throw new DomainError('not-found', `no schedule ${scheduleId}`);
      // The unique (schedule, slot) index makes a second insert for the slot a no-op, in any process.
      const row = this.#sql(
        `INSERT INTO jobs (schedule_id, slot, suites, modes, labels, profile, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?) ON CONFLICT (schedule_id, slot) DO NOTHING RETURNING id`,
      ).get(
        scheduleId,
        slot,
        JSON.stringify(s.suites),
        JSON.stringify(s.modes),
        JSON.stringify(s.labels),
        s.profile,
        now,
        now,
      ) as { id: number } | undefined;
      this.#db
        .update(schedules)
        .set({ lastSlot: sql`max(coalesce(${schedules.lastSlot}, 0), ${slot})` })
        .where(eq(schedules.id, scheduleId))
        .run();
      return row ? this.#job(row.id) : null;
    });
  }

  // ------------------------------------------------------------------ jobs

  #job(id: number): Job | null {
    const row = this.#db.select().from(jobs).where(eq(jobs.id, id)).get();
    return row ? jobView(row) : null;
  }

  async createJob(spec: JobSpecInput, now: number): Promise<Job> {
    if (spec.machineId != null && !this.#db.select().from(machines).where(eq(machines.id, spec.machineId)).get()) {
      throw new DomainError('invalid', `no machine ${spec.machineId}`);
    }
    const row = this.#db
      .insert(jobs)
      .values({
        suites: spec.suites,
        modes: spec.modes,
        labels: spec.labels ?? [],
        profile: spec.profile ?? null,
        machineId: spec.machineId ?? null,
        status: 'queued',
        createdAt: now,
        updatedAt: now,
      })
      .returning()
      .get();
    return jobView(row);
  }

  async listJobs(filter: JobFilter): Promise<Job[]> {
    const where: SQL[] = [];
    if (filter.status) where.push(eq(jobs.status, filter.status));
    if (filter.machine !== undefined) {
      where.push(sql`(${jobs.machineId} = ${filter.machine} OR ${jobs.claimedBy} = ${filter.machine})`);
    }
    if (filter.schedule !== undefined) where.push(eq(jobs.scheduleId, filter.schedule));
    return this.#db
      .select()
      .from(jobs)
      .where(where.length ? and(...where) : undefined)
      .orderBy(desc(jobs.createdAt), desc(jobs.id))
      .limit(filter.limit ?? 200)
      .all()
      .map(jobView);
  }

  async getJob(id: number): Promise<Job | null> {
    return this.#job(id);
  }

  async requeueExpired(now: number, maxAttempts: number): Promise<number> {
    return this.#write(() => {
      const failed = this.#db
        .update(jobs)
        .set({
          status: 'failed',
          error: sql`'the lease expired ' || ${jobs.attempts} || ' times; no agent finished the job'`,
          leaseExpiresAt: null,
          finishedAt: now,
          updatedAt: now,
        })
        .where(and(eq(jobs.status, 'running'), lte(jobs.leaseExpiresAt, now), gte(jobs.attempts, maxAttempts)))
        .run().changes;
      const requeued = this.#db
        .update(jobs)
        .set({
          status: 'queued',
          claimedBy: null,
          claimedAt: null,
          leaseExpiresAt: null,
          progress: null,
          updatedAt: now,
        })
        .where(and(eq(jobs.status, 'running'), lte(jobs.leaseExpiresAt, now)))
        .run().changes;
      return failed + requeued;
    });
  }

  async claimJob(machineId: number, labels: string[], leaseSeconds: number, now: number): Promise<Job | null> {
    const row = this.#write(
      () =>
        this.#sql(
          `UPDATE jobs SET status = 'running', claimed_by = @machine, claimed_at = @now, lease_expires_at = @expires,
             lease_seconds = @lease, attempts = attempts + 1, progress = NULL, updated_at = @now,
             holders = json_insert(holders, '$[#]', @machine)
           WHERE id = (
             SELECT j.id FROM jobs j WHERE j.status = 'queued' AND (j.machine_id IS NULL OR j.machine_id = @machine)
               AND NOT EXISTS (SELECT 1 FROM json_each(j.labels) l WHERE l.value NOT IN (SELECT value FROM json_each(@labels)))
             ORDER BY j.created_at, j.id LIMIT 1)
           RETURNING id`,
        ).get({
          machine: machineId,
          now,
          expires: now + leaseSeconds * 1000,
          lease: leaseSeconds,
          labels: JSON.stringify(labels),
        }) as { id: number } | undefined,
    );
    return row ? this.#job(row.id) : null;
  }

  /** The job, checked to be running and held by the actor's machine. */
  #heldJob(id: number, actor: Actor) {
    const row = this.#db.select().from(jobs).where(eq(jobs.id, id)).get();
    if (!row) throw new DomainError('not-found', `no job ${id}`);
    if (actor.role === 'agent' && row.claimedBy !== actor.machineId) {
      // A machine that lost its lease hears "conflict" (the job moved on); one that never held it, "forbidden".
      if (row.holders.includes(actor.machineId)) {
        throw new DomainError('conflict', `job ${id} is no longer held by this machine (its lease expired)`);
      }
      throw new DomainError('forbidden', `job ${id} is not this machine's`);
    }
    if (row.status !== 'running') throw new DomainError('conflict', `job ${id} is ${row.status}, not running`);
    return row;
  }

  async progressJob(
    id: number,
    actor: Actor,
    report: { done: number; total: number; message: string },
    now: number,
  ): Promise<Job> {
    this.#write(() => {
      const row = this.#heldJob(id, actor);
      this.#db
        .update(jobs)
        .set({
          progress: { ...report, at: now },
          // Progress is the agent's sign of life: it renews the lease.
          leaseExpiresAt: now + (row.leaseSeconds ?? 0) * 1000,
          updatedAt: now,
        })
        .where(eq(jobs.id, id))
        .run();
    });
    return this.#job(id)!;
  }

  async completeJob(id: number, actor: Actor, runId: string, now: number): Promise<Job> {
    this.#write(() => {
      const row = this.#heldJob(id, actor);
      const run = this.#db.select({ machineId: runs.machineId }).from(runs).where(eq(runs.id, runId)).get();
      if (!run) throw new DomainError('invalid', `no run ${runId}; upload the run before completing the job`);
      if (row.claimedBy !== null && run.machineId !== row.claimedBy) {
        throw new DomainError('invalid', `run ${runId} was made on another machine than the one holding job ${id}`);
      }
      this.#db
        .update(jobs)
        .set({ status: 'completed', runId, leaseExpiresAt: null, finishedAt: now, updatedAt: now })
        .where(eq(jobs.id, id))
        .run();
    });
    return this.#job(id)!;
  }

  async failJob(id: number, actor: Actor, failure: { error: string; requeue: boolean }, now: number): Promise<Job> {
    this.#write(() => {
      this.#heldJob(id, actor);
      this.#db
        .update(jobs)
        .set(
          failure.requeue
            ? {
                status: 'queued',
                claimedBy: null,
                claimedAt: null,
                leaseExpiresAt: null,
                progress: null,
                error: failure.error,
                updatedAt: now,
              }
            : { status: 'failed', error: failure.error, leaseExpiresAt: null, finishedAt: now, updatedAt: now },
        )
        .where(eq(jobs.id, id))
        .run();
    });
    return this.#job(id)!;
  }

  async cancelJob(id: number, now: number): Promise<Job> {
    this.#write(() => {
      const row = this.#db.select().from(jobs).where(eq(jobs.id, id)).get();
      if (!row) throw new DomainError('not-found', `no job ${id}`);
      if (row.status !== 'queued' && row.status !== 'running') {
        throw new DomainError('conflict', `job ${id} is ${row.status} already`);
      }
      this.#db
        .update(jobs)
        .set({ status: 'cancelled', leaseExpiresAt: null, finishedAt: now, updatedAt: now })
        .where(eq(jobs.id, id))
        .run();
    });
    return this.#job(id)!;
  }
}

// ------------------------------------------------------------- row mappers

function tokenInfo(row: typeof tokens.$inferSelect): TokenInfo {
  return {
    id: row.id,
    role: row.role,
    machineId: row.machineId,
    name: row.name,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
  };
}

function resultRow(row: ResultDbRow, samples?: number[]): ResultRow {
  const params = parseJson<Params>(row.params);
  return {
    id: row.id,
    seriesId: row.series_id,
    suite: row.suite,
    benchmark: row.benchmark,
    params,
    caseKey: row.case_key,
    caseId: formatCaseId(row.suite, row.benchmark, params),
    mode: row.mode_name,
    modeKind: row.mode_kind,
    status: row.status,
    unit: row.unit,
    stats:
      row.n === null
        ? null
        : {
            n: row.n,
            mean: row.mean!,
            median: row.median!,
            min: row.min!,
            max: row.max!,
            sd: row.sd!,
            ciLow: row.ci_low!,
            ciHigh: row.ci_high!,
            margin: row.margin!,
          },
    loopCostNs: row.loop_cost_ns,
    loops: row.loops,
    opsPerLoop: row.ops_per_loop,
    processes: row.processes,
    peakRssBytes: row.peak_rss_bytes,
    checksum: row.checksum,
    gil: { afterLoad: bool(row.gil_after_load), afterRun: bool(row.gil_after_run) },
    load: { before: row.load_before, after: row.load_after },
    wallMs: row.wall_ms,
    warnings: parseJson(row.warnings),
    error: parseJson(row.error),
    ...(samples ? { samples } : {}),
  };
}

function seriesInfo(row: SeriesDbRow): SeriesInfo {
  const params = parseJson<Params>(row.params);
  return {
    id: row.id,
    machineId: row.machine_id,
    hostname: row.hostname,
    suite: row.suite,
    benchmark: row.benchmark,
    params,
    caseKey: row.case_key,
    caseId: formatCaseId(row.suite, row.benchmark, params),
    modeId: row.mode_name,
    mode: row.mode,
    baselineFrom: row.baseline_from,
    lastStartedAt: row.last_started_at,
    points: row.point_count,
  };
}

function regressionView(r: Record<string, unknown>): Regression {
  return {
    id: r.id as number,
    seriesId: r.series_id as number,
    machineId: r.machine_id as number,
    hostname: r.hostname as string,
    suite: r.suite as string,
    benchmark: r.benchmark as string,
    params: parseJson(r.params as string),
    caseKey: r.case_key as string,
    modeId: r.mode_name as string,
    mode: r.mode_kind as Regression['mode'],
    kind: r.kind as Regression['kind'],
    status: r.status as RegressionStatus,
    note: r.note as string,
    change: r.change as number,
    changeCiLow: r.change_ci_low as number,
    changeCiHigh: r.change_ci_high as number,
    confidence: r.confidence as number,
    score: r.score as number,
    beforeNs: r.before_ns as number,
    afterNs: r.after_ns as number,
    noise: r.noise as number,
    beforeCount: r.before_count as number,
    afterCount: r.after_count as number,
    method: r.method as string,
    startedAt: r.started_at as number,
    runId: r.run_uuid as string,
    previousRunId: (r.previous_run_uuid as string | null) ?? null,
    detectedRunId: (r.detected_run_uuid as string | null) ?? null,
    detectedAt: r.detected_at as number,
    updatedAt: r.updated_at as number,
  };
}

function annotationView(a: typeof annotations.$inferSelect, runId: string | null): Annotation {
  return {
    id: a.id,
    at: a.at,
    text: a.text,
    machineId: a.machineId,
    seriesId: a.seriesId,
    runId,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
  };
}

function scheduleView(s: typeof schedules.$inferSelect): Schedule {
  return {
    id: s.id,
    name: s.name,
    cron: s.cron,
    timezone: s.timezone,
    suites: s.suites,
    modes: s.modes,
    labels: s.labels,
    profile: s.profile,
    enabled: s.enabled,
    lastSlot: s.lastSlot,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

function jobView(j: typeof jobs.$inferSelect): Job {
  return {
    id: j.id,
    scheduleId: j.scheduleId,
    slot: j.slot,
    status: j.status as JobStatus,
    suites: j.suites,
    modes: j.modes,
    labels: j.labels,
    profile: j.profile,
    machineId: j.machineId,
    claimedBy: j.claimedBy,
    claimedAt: j.claimedAt,
    leaseExpiresAt: j.leaseExpiresAt,
    leaseSeconds: j.leaseSeconds,
    attempts: j.attempts,
    progress: j.progress ?? null,
    runId: j.runId,
    error: j.error,
    createdAt: j.createdAt,
    updatedAt: j.updatedAt,
    finishedAt: j.finishedAt,
  };
}
