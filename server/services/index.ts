/**
 * The server's use cases over one store: what the routes, the scheduler, the
 * CLI and the tests call. Each subject's rules live in its own module
 * (tokens, machines, ingest, history, windows, regressions, annotations,
 * jobs); this is the one object that holds them, with the caches, for one
 * store. Backends know nothing of it.
 *
 * @example
 * const services = createServices(await openStore('gilbench.db'));
 * const { created } = await services.ingestRun(doc, { uploadedBy: null, now: Date.now() });
 * await services.close();
 */
import type { DetectedChange } from '../detector/detector.ts';
import type { Store, StoreKind } from '../store/core/store.ts';
import type {
  Annotation,
  AnnotationFilter,
  AnnotationInput,
  EnrollmentRequest,
  EnrollmentStatus,
  HistoryView,
  Job,
  JobFilter,
  JobSpecInput,
  Machine,
  MachineInfo,
  Regression,
  RegressionFilter,
  RegressionStatus,
  RunDetail,
  RunDocument,
  RunFilter,
  RunInfo,
  Schedule,
  ScheduleInput,
  SeriesFilter,
  SeriesInfo,
  TokenInfo,
  TokenRole,
} from '../store/core/types.ts';
import { createAnnotationService } from './annotations.ts';
import { createHistoryService, type HistoryOptions, type HistoryRangeInput } from './history.ts';
import { createIngestService, type IngestOutcome, type IngestService } from './ingest.ts';
import { type Actor, createJobService, type JobServiceOptions } from './jobs.ts';
import { createMachineService, type Enroller, type Enrollment } from './machines.ts';
import { createRegressionService } from './regressions.ts';
import { createTokenService, type TokenInput } from './tokens.ts';
import { createWindowCache, type DetectionWindow } from './windows.ts';

export { DomainError } from './errors.ts';
export type { IngestOutcome } from './ingest.ts';
export { type Actor, DEFAULT_MAX_LEASE_SECONDS, MAX_JOB_ATTEMPTS } from './jobs.ts';
export type { Enroller, Enrollment } from './machines.ts';
export { DEFAULT_ENROLL_USES, type TokenInput } from './tokens.ts';
export type { DetectionWindow } from './windows.ts';

export type ServicesOptions = HistoryOptions & JobServiceOptions;

export interface Services {
  /** The store's kind (`sqlite`, `postgres`). */
  readonly kind: StoreKind;
  readonly store: Store;
  /** Closes the store. */
  close(): Promise<void>;
  /** Whether the database answers a trivial query within `timeoutMs` (for /health; never throws). */
  databaseReachable(timeoutMs?: number): Promise<boolean>;

  // tokens
  createToken(input: TokenInput, now: number): Promise<{ token: string; info: TokenInfo }>;
  importToken(token: string, input: { role: TokenRole; name?: string }, now: number): Promise<TokenInfo>;
  verifyToken(token: string, now: number): Promise<TokenInfo | null>;
  listTokens(): Promise<TokenInfo[]>;
  revokeToken(id: string, now: number): Promise<TokenInfo>;

  // machines
  /** Enrolls (default: as an admin, who may enroll an enrolled fingerprint again). */
  enrollMachine(machine: Machine, now: number, by?: Enroller): Promise<Enrollment>;
  heartbeat(machineId: number, machine: Machine | null, now: number): Promise<MachineInfo>;
  getMachine(id: number): Promise<MachineInfo | null>;
  listMachines(): Promise<MachineInfo[]>;
  /** Puts `labels` in place of the granted ones (an array), or changes them as `change` says. */
  setMachineLabels(
    id: number,
    change: string[] | { labels?: string[]; accept?: string[] },
    now: number,
  ): Promise<MachineInfo>;
  listEnrollmentRequests(status?: EnrollmentStatus): Promise<EnrollmentRequest[]>;
  decideEnrollment(id: number, decision: 'approved' | 'rejected', now: number): Promise<EnrollmentRequest>;

  // runs
  ingestRun(doc: RunDocument, ctx: Parameters<IngestService['ingest']>[1]): Promise<IngestOutcome>;
  getRun(id: string, opts?: { samples?: boolean }): Promise<RunDetail | null>;
  getRunDocument(id: string): Promise<RunDocument | null>;
  listRuns(filter: RunFilter): Promise<RunInfo[]>;
  deleteRun(id: string): Promise<boolean>;

  // series
  listSeries(filter: SeriesFilter): Promise<SeriesInfo[]>;
  getSeries(id: number): Promise<SeriesInfo | null>;
  seriesHistory(id: number, range: HistoryRangeInput): Promise<HistoryView | null>;
  seriesHistoryJson(id: number, range: HistoryRangeInput): Promise<string | null>;
  detectionWindow(seriesId: number, size: number): Promise<DetectionWindow>;
  detectionWindows(seriesIds: readonly number[], size: number): Promise<DetectionWindow[]>;
  recordChange(
    window: DetectionWindow,
    change: DetectedChange,
    ctx: { method: string; detectedRunPk: number; now: number },
  ): Promise<Regression | null>;

  // regressions
  listRegressions(filter: RegressionFilter): Promise<Regression[]>;
  /** How many regressions match the filter, whatever its limit. */
  countRegressions(filter: RegressionFilter): Promise<number>;
  getRegression(id: number): Promise<Regression | null>;
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
  createScheduledJob(scheduleId: number, slot: number, now: number): Promise<Job | null>;

  // jobs
  createJob(spec: JobSpecInput, now: number): Promise<Job>;
  listJobs(filter: JobFilter): Promise<Job[]>;
  getJob(id: number): Promise<Job | null>;
  requeueExpired(now: number, maxAttempts?: number): Promise<number>;
  /** Claims for a machine with its granted labels, after putting expired leases back; the lease capped. */
  claimJob(machineId: number, leaseSeconds: number, now: number): Promise<Job | null>;
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

/**
 * The services over `store` (which they then own: `close()` closes it).
 * @example const services = createServices(await openStore(':memory:'));
 */
/** How long /health waits for the database before saying it cannot be reached. */
export const DATABASE_PING_TIMEOUT_MS = 1000;

async function reachable(store: Store, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([
      store.health.ping().then(
        () => true,
        () => false,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function createServices(store: Store, options: ServicesOptions = {}): Services {
  const tokens = createTokenService(store);
  const machines = createMachineService(store, tokens);
  const windows = createWindowCache(store);
  const ingest = createIngestService(store, windows);
  const history = createHistoryService(store, options);
  const regressions = createRegressionService(store);
  const annotations = createAnnotationService(store);
  const jobs = createJobService(store, options);
  return {
    kind: store.kind,
    store,
    close: async () => {
      await tokens.close();
      await store.close();
    },
    databaseReachable: (timeoutMs = DATABASE_PING_TIMEOUT_MS) => reachable(store, timeoutMs),

    createToken: tokens.create,
    importToken: tokens.import,
    verifyToken: tokens.verify,
    listTokens: tokens.list,
    revokeToken: tokens.revoke,

    enrollMachine: (machine, now, by = { role: 'admin' }) => machines.enroll(machine, by, now),
    heartbeat: machines.heartbeat,
    getMachine: machines.get,
    listMachines: machines.list,
    setMachineLabels: (id, change, now) =>
      machines.setLabels(id, Array.isArray(change) ? { labels: change } : change, now),
    listEnrollmentRequests: machines.enrollmentRequests,
    decideEnrollment: machines.decideEnrollment,

    ingestRun: ingest.ingest,
    getRun: (id, opts) => store.runs.get(id, opts),
    getRunDocument: (id) => store.runs.document(id),
    listRuns: (filter) => store.runs.list(filter),
    deleteRun: (id) => store.runs.delete(id),

    listSeries: (filter) => store.series.list(filter),
    getSeries: (id) => store.series.get(id),
    seriesHistory: history.view,
    seriesHistoryJson: history.json,
    detectionWindow: async (seriesId, size) => (await windows.load([seriesId], size))[0]!,
    detectionWindows: windows.load,
    recordChange: regressions.record,

    listRegressions: regressions.list,
    countRegressions: (filter) => store.regressions.count(filter),
    getRegression: regressions.get,
    updateRegression: regressions.update,

    listAnnotations: annotations.list,
    getAnnotation: annotations.get,
    createAnnotation: annotations.create,
    updateAnnotation: annotations.update,
    deleteAnnotation: annotations.delete,

    listSchedules: jobs.listSchedules,
    getSchedule: jobs.getSchedule,
    createSchedule: jobs.createSchedule,
    updateSchedule: jobs.updateSchedule,
    deleteSchedule: jobs.deleteSchedule,
    createScheduledJob: jobs.createForSlot,

    createJob: jobs.create,
    listJobs: jobs.list,
    getJob: jobs.get,
    requeueExpired: jobs.requeueExpired,
    claimJob: jobs.claim,
    progressJob: jobs.progress,
    completeJob: jobs.complete,
    failJob: jobs.fail,
    cancelJob: jobs.cancel,
  };
}
