/**
 * The repository: every query the server makes, behind one interface, so
 * routes never see SQL and a PostgreSQL backend can be added beside the
 * SQLite one (sqlite.ts) without touching them. Methods are async for that
 * reason even where SQLite answers synchronously.
 *
 * The types below are also the API's response shapes (server/API.md).
 * Times are milliseconds since the epoch; ratios and changes are unitless.
 */
import type { Machine, Mode, ModeName, Result, RunDocument, Stats, SuiteInfo, Warning } from '../../harness/schema.ts';
import type { DetectedChange, SeriesPoint } from '../detector/detector.ts';
import type { JobStatus, RegressionStatus, TokenRole } from '../store/core/types.ts';

export type { JobStatus, RegressionStatus, TokenRole };
export type Params = Record<string, string | number | boolean>;

/** A failure the caller caused: the API turns `kind` into a 4xx. */
export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly kind: 'not-found' | 'conflict' | 'invalid' | 'forbidden',
    message: string,
  ) {
    super(message);
  }
}

export interface TokenInfo {
  id: string;
  role: TokenRole;
  machineId: number | null;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export interface RunInfo {
  id: string;
  machineId: number;
  hostname: string;
  startedAt: number;
  finishedAt: number;
  profile: string;
  gilbenchVersion: string;
  jobId: string | null;
  modes: Mode[];
  resultCount: number;
  warnings: Warning[];
  receivedAt: number;
}

export interface MachineInfo {
  id: number;
  fingerprint: string;
  hostname: string;
  os: string;
  kernel: string;
  arch: string;
  cpu: Machine['cpu'];
  memoryBytes: number;
  labels: string[];
  details: Record<string, unknown>;
  firstSeen: number;
  lastSeen: number;
  runCount: number;
  latestRun: RunInfo | null;
  /** Regressions with status `new`. */
  openRegressions: number;
}

export interface ResultRow {
  id: number;
  seriesId: number;
  suite: string;
  benchmark: string;
  params: Params;
  caseKey: string;
  /** `suite/benchmark[params]`. */
  caseId: string;
  /** The mode's id, e.g. `cpython-3.13.5t/nogil`. */
  mode: string;
  modeKind: ModeName;
  status: Result['status'];
  unit: 'ns';
  stats: Stats | null;
  loopCostNs: number;
  loops: number;
  opsPerLoop: number;
  processes: number;
  peakRssBytes: number | null;
  checksum: string | null;
  gil: Result['gil'];
  load: Result['load'];
  wallMs: number;
  warnings: Warning[];
  error: Result['error'];
  /** Raw samples, only when asked for. */
  samples?: number[];
}

export interface RunDetail extends RunInfo {
  machine: Machine;
  suites: SuiteInfo[];
  results: ResultRow[];
}

export interface SeriesInfo {
  id: number;
  machineId: number;
  hostname: string;
  suite: string;
  benchmark: string;
  params: Params;
  caseKey: string;
  caseId: string;
  modeId: string;
  mode: ModeName;
  /** The detector reads points from this time on (null: from the first). */
  baselineFrom: number | null;
  lastStartedAt: number | null;
  points: number;
}

export interface SeriesFilter {
  machine?: number;
  suite?: string;
  benchmark?: string;
  caseKey?: string;
  mode?: string;
  limit?: number;
}

export interface HistoryPoint {
  runId: string;
  at: number;
  status: Result['status'];
  n: number | null;
  median: number | null;
  ciLow: number | null;
  ciHigh: number | null;
}

/**
 * A series' points as columns, as `GET /series/:id/history` sends them: the i-th
 * entry of every array is one point (oldest first). A third of the JSON of an
 * array of point objects is their keys, repeated 10,000 times.
 */
export interface HistoryColumns {
  runId: string[];
  at: number[];
  status: Array<Result['status']>;
  n: Array<number | null>;
  median: Array<number | null>;
  ciLow: Array<number | null>;
  ciHigh: Array<number | null>;
}

export interface Regression {
  id: number;
  seriesId: number;
  machineId: number;
  hostname: string;
  suite: string;
  benchmark: string;
  params: Params;
  caseKey: string;
  modeId: string;
  mode: ModeName;
  kind: 'regression' | 'improvement';
  status: RegressionStatus;
  note: string;
  change: number;
  changeCiLow: number;
  changeCiHigh: number;
  confidence: number;
  score: number;
  beforeNs: number;
  afterNs: number;
  noise: number;
  beforeCount: number;
  afterCount: number;
  method: string;
  /** Start of the first run after the change. */
  startedAt: number;
  runId: string;
  previousRunId: string | null;
  detectedRunId: string | null;
  detectedAt: number;
  updatedAt: number;
}

export interface RegressionFilter {
  status?: RegressionStatus;
  kind?: 'regression' | 'improvement';
  machine?: number;
  series?: number;
  from?: number;
  to?: number;
  limit?: number;
}

export interface Annotation {
  id: number;
  at: number;
  text: string;
  machineId: number | null;
  seriesId: number | null;
  runId: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface AnnotationInput {
  at?: number;
  text: string;
  machineId?: number | null;
  seriesId?: number | null;
  runId?: string | null;
}

export interface AnnotationFilter {
  machine?: number;
  series?: number;
  run?: string;
  from?: number;
  to?: number;
  limit?: number;
}

export interface HistoryView {
  series: SeriesInfo;
  points: HistoryPoint[];
  /** Changes found in the range of the points. */
  regressions: Regression[];
  /** Notes in the range: on this series, its machine, or everything. */
  annotations: Annotation[];
}

export interface JobSpecInput {
  suites: string[];
  modes: string[];
  labels?: string[];
  profile?: string | null;
  machineId?: number | null;
}

export interface Job {
  id: number;
  scheduleId: number | null;
  slot: number | null;
  status: JobStatus;
  suites: string[];
  modes: string[];
  labels: string[];
  profile: string | null;
  machineId: number | null;
  claimedBy: number | null;
  claimedAt: number | null;
  leaseExpiresAt: number | null;
  leaseSeconds: number | null;
  attempts: number;
  progress: { done: number; total: number; message: string; at: number } | null;
  runId: string | null;
  error: string | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
}

export interface JobFilter {
  status?: JobStatus;
  machine?: number;
  schedule?: number;
  limit?: number;
}

export interface Schedule {
  id: number;
  name: string;
  cron: string;
  timezone: string | null;
  suites: string[];
  modes: string[];
  labels: string[];
  profile: string | null;
  enabled: boolean;
  lastSlot: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface ScheduleInput {
  name: string;
  cron: string;
  timezone?: string | null;
  suites: string[];
  modes: string[];
  labels?: string[];
  profile?: string | null;
  enabled?: boolean;
}

/** Who does a job-changing call: an agent (its machine) or an admin (any job). */
export type Actor = { role: 'admin' } | { role: 'agent'; machineId: number };

export interface IngestOutcome {
  /** False when the run id was stored already: nothing new was written. */
  created: boolean;
  run: RunInfo;
  /** Series that got a point (empty when nothing was created). */
  seriesIds: number[];
  /** Internal key of the run, for the detector's bookkeeping. */
  runPk: number;
}

/** What the detector needs of one series. */
export interface DetectionWindow {
  seriesId: number;
  points: SeriesPoint[];
  /** Per point: the run's internal key. */
  runPks: number[];
  /** Indices of changes found earlier and not ignored. */
  boundaries: number[];
  /** Indices of changes a person marked as ignored. */
  skip: Set<number>;
}

export interface Repository {
  /** `sqlite` (the only backend so far). */
  readonly kind: string;
  close(): void;

  // tokens
  createToken(
    input: { role: TokenRole; name?: string; machineId?: number | null },
    now: number,
  ): Promise<{ token: string; info: TokenInfo }>;
  /** Stores a token chosen outside (e.g. GILBENCH_ADMIN_TOKEN); a no-op when it is stored already. */
  importToken(token: string, input: { role: TokenRole; name?: string }, now: number): Promise<TokenInfo>;
  /** The live token matching `token` (compared in constant time), or null. */
  verifyToken(token: string, now: number): Promise<TokenInfo | null>;
  listTokens(): Promise<TokenInfo[]>;
  revokeToken(id: string, now: number): Promise<TokenInfo>;

  // machines
  /** Creates or refreshes the machine with this fingerprint and gives it a new agent token (older ones are revoked). */
  enrollMachine(machine: Machine, now: number): Promise<{ machine: MachineInfo; token: string }>;
  heartbeat(machineId: number, machine: Machine | null, now: number): Promise<MachineInfo>;
  getMachine(id: number): Promise<MachineInfo | null>;
  listMachines(): Promise<MachineInfo[]>;
  setMachineLabels(id: number, labels: string[], now: number): Promise<MachineInfo>;

  // runs and results
  ingestRun(doc: RunDocument, ctx: { uploadedBy: string | null; now: number }): Promise<IngestOutcome>;
  getRun(id: string, opts?: { samples?: boolean }): Promise<RunDetail | null>;
  /** The stored run as the document that was uploaded. */
  getRunDocument(id: string): Promise<RunDocument | null>;
  listRuns(filter: { machine?: number; before?: number; limit?: number }): Promise<RunInfo[]>;
  deleteRun(id: string): Promise<boolean>;

  // series
  listSeries(filter: SeriesFilter): Promise<SeriesInfo[]>;
  getSeries(id: number): Promise<SeriesInfo | null>;
  seriesHistory(id: number, range: { from?: number; to?: number; limit?: number }): Promise<HistoryView | null>;
  /**
   * `seriesHistory` as JSON text for the API, with the points as columns
   * (`{series, points: HistoryColumns, regressions, annotations}`): a series may have
   * 10,000 points, and building their JSON in the database is the fast way to answer.
   */
  seriesHistoryJson(id: number, range: { from?: number; to?: number; limit?: number }): Promise<string | null>;
  detectionWindow(seriesId: number, size: number): Promise<DetectionWindow>;
  /** `detectionWindow` of several series at once (in the order given). */
  detectionWindows(seriesIds: readonly number[], size: number): Promise<DetectionWindow[]>;
  /** Stores a change the detector found; null when that change is stored already. */
  recordChange(
    window: DetectionWindow,
    change: DetectedChange,
    ctx: { method: string; detectedRunPk: number; now: number },
  ): Promise<Regression | null>;

  // regressions
  listRegressions(filter: RegressionFilter): Promise<Regression[]>;
  getRegression(id: number): Promise<Regression | null>;
  /** Acknowledging re-baselines the series at the change. */
  updateRegression(id: number, patch: { status?: RegressionStatus; note?: string }, now: number): Promise<Regression>;

  // annotations
  listAnnotations(filter: AnnotationFilter): Promise<Annotation[]>;
  getAnnotation(id: number): Promise<Annotation | null>;
  createAnnotation(input: AnnotationInput, now: number): Promise<Annotation>;
  updateAnnotation(id: number, patch: Partial<AnnotationInput>, now: number): Promise<Annotation>;
  deleteAnnotation(id: number): Promise<boolean>;

  // schedules
  listSchedules(): Promise<Schedule[]>;
  getSchedule(id: number): Promise<Schedule | null>;
  createSchedule(input: ScheduleInput, now: number): Promise<Schedule>;
  updateSchedule(id: number, patch: Partial<ScheduleInput>, now: number): Promise<Schedule>;
  deleteSchedule(id: number): Promise<boolean>;
  /** The job of a schedule's slot: made once, whoever asks how often (null when it exists already). */
  createScheduledJob(scheduleId: number, slot: number, now: number): Promise<Job | null>;

  // jobs
  createJob(spec: JobSpecInput, now: number): Promise<Job>;
  listJobs(filter: JobFilter): Promise<Job[]>;
  getJob(id: number): Promise<Job | null>;
  /** Jobs whose lease ran out go back to the queue (or fail after `maxAttempts` claims). */
  requeueExpired(now: number, maxAttempts: number): Promise<number>;
  claimJob(machineId: number, labels: string[], leaseSeconds: number, now: number): Promise<Job | null>;
  progressJob(
    id: number,
    actor: Actor,
    report: { done: number; total: number; message: string },
    now: number,
  ): Promise<Job>;
  completeJob(id: number, actor: Actor, runId: string, now: number): Promise<Job>;
  failJob(id: number, actor: Actor, failure: { error: string; requeue: boolean }, now: number): Promise<Job>;
  cancelJob(id: number, now: number): Promise<Job>;
}
