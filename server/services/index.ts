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
import { createIngestService, type IngestOutcome } from './ingest.ts';
import { type Actor, createJobService } from './jobs.ts';
import { createMachineService } from './machines.ts';
import { createRegressionService } from './regressions.ts';
import { createTokenService } from './tokens.ts';
import { createWindowCache, type DetectionWindow } from './windows.ts';

export { DomainError } from './errors.ts';
export type { IngestOutcome } from './ingest.ts';
export { type Actor, MAX_JOB_ATTEMPTS } from './jobs.ts';
export type { DetectionWindow } from './windows.ts';

export type ServicesOptions = HistoryOptions;

export interface Services {
  /** The store's kind (`sqlite`, `postgres`). */
  readonly kind: StoreKind;
  readonly store: Store;
  /** Closes the store. */
  close(): Promise<void>;

  // tokens
  createToken(
    input: { role: TokenRole; name?: string; machineId?: number | null },
    now: number,
  ): Promise<{ token: string; info: TokenInfo }>;
  importToken(token: string, input: { role: TokenRole; name?: string }, now: number): Promise<TokenInfo>;
  verifyToken(token: string, now: number): Promise<TokenInfo | null>;
  listTokens(): Promise<TokenInfo[]>;
  revokeToken(id: string, now: number): Promise<TokenInfo>;

  // machines
  enrollMachine(machine: Machine, now: number): Promise<{ machine: MachineInfo; token: string }>;
  heartbeat(machineId: number, machine: Machine | null, now: number): Promise<MachineInfo>;
  getMachine(id: number): Promise<MachineInfo | null>;
  listMachines(): Promise<MachineInfo[]>;
  setMachineLabels(id: number, labels: string[], now: number): Promise<MachineInfo>;

  // runs
  ingestRun(doc: RunDocument, ctx: { uploadedBy: string | null; now: number }): Promise<IngestOutcome>;
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
  /** Claims for a machine with `labels` plus its stored labels, after putting expired leases back. */
  claimJob(machineId: number, labels: readonly string[], leaseSeconds: number, now: number): Promise<Job | null>;
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
export function createServices(store: Store, options: ServicesOptions = {}): Services {
  const tokens = createTokenService(store);
  const machines = createMachineService(store, tokens);
  const windows = createWindowCache(store);
  const ingest = createIngestService(store, windows);
  const history = createHistoryService(store, options);
  const regressions = createRegressionService(store);
  const annotations = createAnnotationService(store);
  const jobs = createJobService(store);
  return {
    kind: store.kind,
    store,
    close: async () => {
      await tokens.close();
      await store.close();
    },

    createToken: tokens.create,
    importToken: tokens.import,
    verifyToken: tokens.verify,
    listTokens: tokens.list,
    revokeToken: tokens.revoke,

    enrollMachine: machines.enroll,
    heartbeat: machines.heartbeat,
    getMachine: machines.get,
    listMachines: machines.list,
    setMachineLabels: machines.setLabels,

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
