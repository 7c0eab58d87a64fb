/**
 * The dashboard's view of the server's API: one function per question a page
 * asks, returning the shapes the pages draw. All knowledge of the server's
 * URLs and field names sits here (see server/API.md); statistics (ratios,
 * their CIs, geometric means, scaling speedups) come from the server, never
 * from here. Run details and scaling curves of a run never change, so they
 * are kept for the life of the page (a view and its machine picker ask once).
 *
 * @example
 * const api = new Api(createSource());
 * const machines = await api.machines();
 */
// Wire shapes: the API contract's types, imported as types only (erased by the
// bundler, so zod stays out of the page), so the pages cannot drift from what
// the server sends. The regression statuses are a plain constant of the contract.
import type { ModeName, Stats } from '../../harness/schema.ts';
import { REGRESSION_STATUSES } from '../../server/contract/enums.ts';
import type {
  Annotation,
  ComparisonRow,
  ComparisonView,
  GeometricMean,
  HistoryColumns,
  HistoryPoint,
  HistoryResponse,
  HistoryView,
  Job,
  LockCost,
  MachineInfo,
  Params,
  Regression,
  RegressionStatus,
  RegressionsResponse,
  ResultRow,
  RunDetail,
  RunInfo,
  ScalingCurve,
  ScalingPoint,
  SeriesInfo,
  Session,
  TrendRun,
  TrendsResponse,
} from '../../server/contract/index.ts';
import type { DataSource, Query } from './source.ts';

/** The server's API prefix (see server/API.md). */
export const API = '/api/v1';

export type {
  Annotation,
  ComparisonRow,
  ComparisonView,
  GeometricMean,
  HistoryColumns,
  HistoryPoint,
  HistoryView,
  Job,
  MachineInfo,
  ModeName,
  Params,
  Regression,
  RegressionStatus,
  ResultRow,
  RunDetail,
  RunInfo,
  ScalingCurve,
  ScalingPoint,
  SeriesInfo,
  Session,
  Stats,
  TrendRun,
};
export { REGRESSION_STATUSES };

/** A mode as the pages name it. */
export interface ModeRef {
  /** e.g. `cpython-3.13.5t/nogil`. */
  id: string;
  mode: ModeName;
}

/**
 * Columns back to one object per point, as the views read them.
 * @example pointsFromColumns({ runId: ['r'], at: [5], status: ['ok'], n: [9], median: [2], ciLow: [1], ciHigh: [3] })
 * // [{ runId: 'r', at: 5, status: 'ok', n: 9, median: 2, ciLow: 1, ciHigh: 3 }]
 */
export function pointsFromColumns(c: HistoryColumns): HistoryPoint[] {
  const points = new Array<HistoryPoint>(c.at.length);
  for (let i = 0; i < points.length; i++) {
    points[i] = {
      runId: c.runId[i]!,
      at: c.at[i]!,
      status: c.status[i]!,
      n: c.n[i]!,
      median: c.median[i]!,
      ciLow: c.ciLow[i]!,
      ciHigh: c.ciHigh[i]!,
    };
  }
  return points;
}

/** Whether a session may read jobs and schedules (admin and agent tokens; never public). */
export function canSeeJobs(session: Session | null): boolean {
  return session?.role === 'admin' || session?.role === 'agent';
}

/** How many run answers (details, scaling curves) the page keeps. */
const RUN_CACHE_SIZE = 24;

export class Api {
  /** Answers about one run by request key, newest use last (runs are immutable). */
  readonly #runCache = new Map<string, Promise<unknown>>();

  constructor(readonly source: DataSource) {}

  #cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    let hit = this.#runCache.get(key) as Promise<T> | undefined;
    if (hit) this.#runCache.delete(key);
    else {
      hit = load();
      // A failed request is not kept: the next view asks again.
      hit.catch(() => this.#runCache.delete(key));
    }
    this.#runCache.set(key, hit);
    while (this.#runCache.size > RUN_CACHE_SIZE) this.#runCache.delete(this.#runCache.keys().next().value!);
    return hit;
  }

  private get<T>(path: string, query?: Query): Promise<T> {
    return this.source.get<T>(path, query);
  }

  session(): Promise<Session> {
    return this.get<Session>(`${API}/session`);
  }

  machines(): Promise<MachineInfo[]> {
    return this.get<{ machines: MachineInfo[] }>(`${API}/machines`).then((r) => r.machines);
  }

  machine(id: number): Promise<MachineInfo> {
    return this.get<{ machine: MachineInfo }>(`${API}/machines/${id}`).then((r) => r.machine);
  }

  runs(query: { machine?: number; limit?: number } = {}): Promise<RunInfo[]> {
    return this.get<{ runs: RunInfo[] }>(`${API}/runs`, query).then((r) => r.runs);
  }

  run(id: string): Promise<RunDetail> {
    return this.#cached(`run ${id}`, () =>
      this.get<{ run: RunDetail }>(`${API}/runs/${encodeURIComponent(id)}`).then((r) => r.run),
    );
  }

  /** One run with its results' raw samples (`?samples=1`), for statistics the page computes itself. */
  runWithSamples(id: string): Promise<RunDetail> {
    return this.#cached(`run+samples ${id}`, () =>
      this.get<{ run: RunDetail }>(`${API}/runs/${encodeURIComponent(id)}`, { samples: 1 }).then((r) => r.run),
    );
  }

  /** Speedup curves of a run's threaded benchmarks, with 95% CIs (statistics by the server). */
  scaling(runId: string): Promise<ScalingCurve[]> {
    return this.#cached(`scaling ${runId}`, () =>
      this.get<{ runId: string; curves: ScalingCurve[] }>(`${API}/runs/${encodeURIComponent(runId)}/scaling`).then(
        (r) => r.curves,
      ),
    );
  }

  /** What each lock costs a reader against the lock-free read, with 95% CIs (statistics by the server). */
  locks(runId: string): Promise<LockCost[]> {
    return this.#cached(`locks ${runId}`, () =>
      this.get<{ runId: string; costs: LockCost[] }>(`${API}/runs/${encodeURIComponent(runId)}/locks`).then(
        (r) => r.costs,
      ),
    );
  }

  /** Two modes of one run: `other / base` per case. */
  compareModes(runId: string, base: string, other: string): Promise<ComparisonView> {
    // Kept like the run's other answers: the overview asks for it twice at once (overhead, calls).
    return this.#cached(`compare ${runId} ${base} ${other}`, () =>
      this.get<ComparisonView>(`${API}/runs/${encodeURIComponent(runId)}/compare`, { base, other }),
    );
  }

  /** One mode in two runs: `other run / base run` per case. */
  compareRuns(baseRun: string, otherRun: string, mode: string): Promise<ComparisonView> {
    return this.get<ComparisonView>(`${API}/compare`, { base: baseRun, other: otherRun, mode });
  }

  /** A machine's newest `limit` runs with their headline numbers (statistics by the server), newest first. */
  trends(machineId: number, limit: number): Promise<TrendRun[]> {
    return this.get<TrendsResponse>(`${API}/machines/${machineId}/trends`, { limit }).then((r) => r.runs);
  }

  series(query: { machine?: number; suite?: string; benchmark?: string } = {}): Promise<SeriesInfo[]> {
    return this.get<{ series: SeriesInfo[] }>(`${API}/series`, query).then((r) => r.series);
  }

  /** A series' points, with the changes and notes in their range. */
  history(seriesId: number): Promise<HistoryView> {
    return this.get<HistoryResponse>(`${API}/series/${seriesId}/history`).then((r) => ({
      ...r,
      points: pointsFromColumns(r.points),
    }));
  }

  /** Newest first, at most the server's default page (500). */
  regressions(query: { status?: string; machine?: number; kind?: string } = {}): Promise<Regression[]> {
    return this.get<RegressionsResponse>(`${API}/regressions`, query).then((r) => r.regressions);
  }

  /** How many regressions match, however many pages they fill (the server counts them). */
  regressionCount(query: { status?: string; machine?: number; kind?: string } = {}): Promise<number> {
    return this.get<RegressionsResponse>(`${API}/regressions`, { ...query, limit: 1 }).then((r) => r.total);
  }

  updateRegression(id: number, change: { status?: RegressionStatus; note?: string }): Promise<Regression> {
    return this.source
      .send<{ regression: Regression }>('PATCH', `${API}/regressions/${id}`, change)
      .then((r) => r.regression);
  }

  annotations(query: { machine?: number; series?: number } = {}): Promise<Annotation[]> {
    return this.get<{ annotations: Annotation[] }>(`${API}/annotations`, query).then((r) => r.annotations);
  }

  jobs(query: { machine?: number; status?: string } = {}): Promise<Job[]> {
    return this.get<{ jobs: Job[] }>(`${API}/jobs`, query).then((r) => r.jobs);
  }
}
