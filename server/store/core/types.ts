/**
 * The store's domain types: what every backend reads and writes, as plain
 * data (numbers, strings, arrays, plain objects; no class instances, no
 * functions), so a backend may live behind a worker thread or a socket.
 * Most are also the API's response shapes (server/API.md).
 *
 * Times are milliseconds since the epoch; ratios and changes are unitless.
 */
import type {
  Machine,
  Mode,
  ModeName,
  Result,
  RunDocument,
  Stats,
  SuiteInfo,
  Warning,
} from '../../../harness/schema.ts';

// The vocabularies are the API's (zod-free constants), so a stored status is always one the API can answer.
export {
  ENROLLMENT_STATUSES,
  type EnrollmentStatus,
  JOB_STATUSES,
  type JobStatus,
  REGRESSION_STATUSES,
  RESULT_STATUSES,
  type RegressionStatus,
  type ResultStatus,
  TOKEN_ROLES,
  type TokenRole,
} from '../../contract/enums.ts';
export type { Machine, Mode, ModeName, RunDocument };

import type { EnrollmentStatus, JobStatus, RegressionStatus, TokenRole } from '../../contract/enums.ts';

export const MODE_KINDS = ['gil', 'nogil', 'nogil-forced', 'ft-gil'] as const;

export type Params = Record<string, string | number | boolean>;

export interface TokenInfo {
  id: string;
  role: TokenRole;
  machineId: number | null;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
  /** After this time the token is refused (null: never). */
  expiresAt: number | null;
  /** Enrollments an enrollment token has left (null: no limit). */
  usesLeft: number | null;
  /** Labels an enrollment token grants the machines it enrolls. */
  labels: string[];
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
  /** Results carrying at least one warning, and of those the `unstable` ones (CI wider than the profile allows). */
  warnedResults: number;
  unstableResults: number;
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
  /** Granted labels (an admin's, or the enrollment token's): only these route jobs. */
  labels: string[];
  /** Labels the machine's agent declared; they grant nothing until an admin accepts them. */
  declaredLabels: string[];
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

/** Where a series' points changed runtime: the mode ids on each side (`cpython-3.13.5t/nogil` → `cpython-3.13.15t/nogil`). */
export interface RuntimeChange {
  from: string;
  to: string;
}

/**
 * The runtime change between two mode ids, or null when they are the same (or one is unknown).
 * @example runtimeChangeOf('cpython-3.13.5/gil', 'cpython-3.13.15/gil') // { from: 'cpython-3.13.5/gil', to: 'cpython-3.13.15/gil' }
 */
export function runtimeChangeOf(from: string | null | undefined, to: string | null | undefined): RuntimeChange | null {
  return from && to && from !== to ? { from, to } : null;
}

/** A point of a series measured on another runtime than the point before it. */
export interface RuntimeChangeRow extends RuntimeChange {
  at: number;
  runPk: number;
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
  /** The mode id of the first run after the change. */
  modeId: string;
  /** Set when the runs before and after the change measured different runtimes (release or build kind). */
  runtimeChange: RuntimeChange | null;
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
  /** Where the series' runtime changed, in the range of the points. */
  runtimeChanges: Array<RuntimeChange & { at: number; runId: string }>;
}

export interface JobSpecInput {
  suites: string[];
  modes: string[];
  labels?: string[];
  profile?: string | null;
  /** Which installed runtime (a version, a runtime id or `newest`); null: the agent's default pick. */
  runtime?: string | null;
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
  runtime: string | null;
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
  runtime: string | null;
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
  runtime?: string | null;
  enabled?: boolean;
}

// ------------------------------------------------------------------------------------------
// What only the store and the services see (not API shapes).

/** A token as stored: its public part and the SHA-256 of its secret (never the secret). */
export interface TokenRecord extends TokenInfo {
  secretHash: Uint8Array;
}

/** A token to store; `createdAt` is the `now` of the call. */
export interface NewToken {
  id: string;
  secretHash: Uint8Array;
  role: TokenRole;
  machineId: number | null;
  name: string;
  /** Default null: never expires. */
  expiresAt?: number | null;
  /** Default null: no limit. */
  usesLeft?: number | null;
  /** Default none. */
  labels?: readonly string[];
}

/** A request to enroll a fingerprint that is enrolled already, as the API shows it. */
export interface EnrollmentRequest {
  id: number;
  machineId: number;
  /** The machine as enrolled (its fingerprint) and the facts the caller sent. */
  fingerprint: string;
  facts: Machine;
  status: EnrollmentStatus;
  /** The id of the token the caller holds (stored as the machine's agent token on approval). */
  tokenId: string;
  enrollTokenId: string | null;
  createdAt: number;
  decidedAt: number | null;
}

/** What `machines.enroll` is asked to do. */
export interface EnrollInput {
  facts: Machine;
  /** The agent token to store for the machine (or to keep in a request). */
  agentToken: Omit<NewToken, 'machineId'>;
  /**
   * The enrollment token this spends: one use is taken in the same step, and nothing is
   * written when it has none left, has expired or was revoked. Null: no token is spent.
   */
  enrollTokenId: string | null;
  /** Labels a new machine is granted (an existing machine keeps its own). */
  grantLabels: readonly string[];
  /**
   * When the fingerprint is enrolled already: `replace` stores the new token in place of the
   * machine's live agent tokens (the caller proved it may); `request` stores a pending
   * request and changes nothing of the machine.
   */
  existing: 'replace' | 'request';
}

export type EnrollOutcome =
  | { kind: 'created' | 'replaced'; machineId: number }
  | { kind: 'requested'; machineId: number; requestId: number }
  /** The enrollment token had no use left, had expired or was revoked: nothing written. */
  | { kind: 'spent' };

/** The detector's point of one result: the level (ns) and its relative standard error. */
export interface DetectorPoint {
  level: number;
  rse: number;
}

/** What `runs.insert` is given besides the document. */
export interface RunInsertInput {
  /** Id of the token that uploaded the run (null: stored from outside the API). */
  uploadedBy: string | null;
  now: number;
  /** Per result of the document (same order): its detector point, or null when the detector does not read it. */
  points: ReadonlyArray<DetectorPoint | null>;
  /** Labels to add to the machine's stored ones (see `MachineStore.upsert`). */
  addLabels: readonly string[];
}

/** One point a stored run added to a series, for caches of detector windows. */
export interface AppendedPoint {
  seriesId: number;
  /** The series' version after this point was added. */
  version: number;
  startedAt: number;
  runPk: number;
  point: DetectorPoint | null;
}

export type RunInsertOutcome =
  | {
      created: true;
      /** Internal key of the run (never reused, even after a delete). */
      runPk: number;
      machineId: number;
      /** Distinct series that got a point, in the order first touched. */
      seriesIds: number[];
      /** One entry per result, in document order. */
      appended: AppendedPoint[];
    }
  | {
      created: false;
      runPk: number;
      /** Fingerprint of the machine the stored run belongs to. */
      fingerprint: string;
    };

/** A stored run's keys. */
export interface RunRef {
  pk: number;
  id: string;
  machineId: number;
  startedAt: number;
}

export interface RunFilter {
  machine?: number;
  /** Runs that started before this time. */
  before?: number;
  /** Default 100. */
  limit?: number;
}

export interface HistoryRange {
  from?: number;
  to?: number;
  /** The newest `limit` points in the range (default 10,000). */
  limit?: number;
}

/** One point of a series' history as stored (the run by its internal key). */
export interface HistoryRow {
  runPk: number;
  at: number;
  status: Result['status'];
  n: number | null;
  median: number | null;
  ciLow: number | null;
  ciHigh: number | null;
}

/**
 * Some of a series' points as the JSON text of each column without its brackets
 * (`at`, `status`, `n`, `median`, `ciLow`, `ciHigh`, in that order), plus the runs'
 * keys in the same order and the version of the series they were read at (one snapshot).
 */
export interface HistoryColumnsText {
  version: number;
  runPks: number[];
  /** Six texts, e.g. `1717322400000,1717408800000`; `null` stands for a missing value. */
  texts: string[];
  first: number | null;
  last: number | null;
}

/** What the detector reads of one series, as stored, at one version of the series. */
export interface StoredWindow {
  seriesId: number;
  version: number;
  /** The newest `size` points from the baseline on with a level, oldest first (by start, then run key). */
  points: DetectorPoint[];
  runPks: number[];
  startedAts: number[];
  /** Changes stored for this series (any run, any status). */
  changes: Array<{ runPk: number; status: RegressionStatus }>;
}

/** What a stored change says of itself: the same fields a `Regression` answers with. */
type ChangeFigures = Pick<
  Regression,
  | 'kind'
  | 'change'
  | 'changeCiLow'
  | 'changeCiHigh'
  | 'confidence'
  | 'score'
  | 'beforeNs'
  | 'afterNs'
  | 'noise'
  | 'beforeCount'
  | 'afterCount'
  | 'method'
>;

/** A change the detector found, to store. */
export interface NewChange extends ChangeFigures {
  seriesId: number;
  /** First run after the change. */
  runPk: number;
  /** Last run before it (null: none). */
  previousRunPk: number | null;
  /** The run whose upload made the detector decide. */
  detectedRunPk: number | null;
}

export interface RegressionPatch {
  status?: RegressionStatus;
  note?: string;
  /** Raise the series' baseline to at least this time (never lowers it). */
  baselineFrom?: number;
}

/** An annotation as stored: the run by its internal key. */
export interface AnnotationRecordInput {
  at: number;
  text: string;
  machineId: number | null;
  seriesId: number | null;
  runPk: number | null;
}

export interface ScheduleRecordInput {
  name: string;
  cron: string;
  timezone: string | null;
  suites: string[];
  modes: string[];
  labels: string[];
  profile: string | null;
  runtime: string | null;
  enabled: boolean;
  lastSlot: number | null;
}

/** What a job asks an agent to run. */
export interface JobSpec {
  suites: string[];
  modes: string[];
  labels: string[];
  profile: string | null;
  /** Which installed runtime the agent measures (null: its default pick). */
  runtime: string | null;
  /** Only this machine may claim the job (null: any machine with the labels). */
  machineId: number | null;
}

/** A job as stored: the API's shape plus every machine that ever claimed it. */
export interface JobRecord extends Job {
  holders: number[];
}

export interface ClaimRequest {
  machineId: number;
  /** Every label the machine has: a job matches when each of its labels is among them. */
  labels: readonly string[];
  leaseSeconds: number;
  now: number;
}

/** Conditions `jobs.update` checks in the same atomic step as its write. */
export interface JobGuard {
  /** The job's status is one of these. */
  status?: readonly JobStatus[];
  /** The job is held by this machine (null: by none). */
  claimedBy?: number | null;
  /** The job was claimed this many times. */
  attempts?: number;
  /** The job's lease ran out at or before this time. */
  leaseExpiredBy?: number;
}

/** Fields `jobs.update` may set; `updatedAt` is always the call's `now`. */
export interface JobPatch {
  status?: JobStatus;
  claimedBy?: number | null;
  claimedAt?: number | null;
  leaseExpiresAt?: number | null;
  progress?: Job['progress'];
  runId?: string | null;
  error?: string | null;
  finishedAt?: number | null;
}
