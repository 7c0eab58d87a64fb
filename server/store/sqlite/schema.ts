/**
 * The server's database schema (drizzle, SQLite dialect). Migrations in
 * `drizzle/` are generated from this file with `npx drizzle-kit generate`
 * and applied at start-up (see open.ts).
 *
 * Conventions: times are integer milliseconds since the epoch (sortable and
 * compact); JSON columns hold what is only ever read whole; the hot series
 * queries (history, the detector) read one covering index and no table rows.
 */
import { blob, index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { Machine, SuiteInfo, Warning } from '../../../harness/schema.ts';
import {
  ENROLLMENT_STATUSES,
  JOB_STATUSES,
  type JobStatus,
  MODE_KINDS,
  REGRESSION_STATUSES,
  RESULT_STATUSES,
  type RegressionStatus,
  TOKEN_ROLES,
  type TokenRole,
} from '../core/types.ts';

// The enums are the store contract's; re-exported for the code that still reads them here.
export {
  JOB_STATUSES,
  type JobStatus,
  REGRESSION_STATUSES,
  RESULT_STATUSES,
  type RegressionStatus,
  TOKEN_ROLES,
  type TokenRole,
};

/** A benchmark machine, keyed by the fingerprint its agent computes. */
export const machines = sqliteTable('machines', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  fingerprint: text('fingerprint').notNull().unique(),
  hostname: text('hostname').notNull(),
  os: text('os').notNull(),
  kernel: text('kernel').notNull(),
  arch: text('arch').notNull(),
  cpu: text('cpu', { mode: 'json' }).$type<Machine['cpu']>().notNull(),
  memoryBytes: real('memory_bytes').notNull(),
  details: text('details', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  /** Granted labels: the admin's and the enrollment token's. Only these route jobs. */
  labels: text('labels', { mode: 'json' }).$type<string[]>().notNull(),
  /** Labels the machine's agent declared: shown, granting nothing until an admin accepts them. */
  declaredLabels: text('declared_labels', { mode: 'json' }).$type<string[]>().notNull().default([]),
  firstSeen: integer('first_seen').notNull(),
  lastSeen: integer('last_seen').notNull(),
});

/** One interpreter build on one machine; `key` is a hash of its canonical JSON. */
export const runtimes = sqliteTable(
  'runtimes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    machineId: integer('machine_id')
      .notNull()
      .references(() => machines.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    name: text('name').notNull(),
    implementation: text('implementation').notNull(),
    version: text('version').notNull(),
    freeThreaded: integer('free_threaded', { mode: 'boolean' }).notNull(),
    gilEnabledByDefault: integer('gil_enabled_by_default', { mode: 'boolean' }).notNull(),
    configureArgs: text('configure_args').notNull(),
    compiler: text('compiler').notNull(),
    revision: text('revision'),
    executable: text('executable').notNull(),
    sha256: text('sha256').notNull(),
  },
  (t) => [uniqueIndex('runtimes_machine_key').on(t.machineId, t.key)],
);

/** A runtime plus how it is run (`cpython-3.13.5t/nogil`). */
export const modes = sqliteTable(
  'modes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    runtimeId: integer('runtime_id')
      .notNull()
      .references(() => runtimes.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    name: text('name').notNull(),
    mode: text('mode', { enum: MODE_KINDS }).notNull(),
    env: text('env', { mode: 'json' }).$type<Record<string, string>>().notNull(),
  },
  (t) => [uniqueIndex('modes_runtime_key').on(t.runtimeId, t.key)],
);

export const suites = sqliteTable('suites', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull().unique(),
  description: text('description').notNull().default(''),
});

export const benchmarks = sqliteTable(
  'benchmarks',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    suiteId: integer('suite_id')
      .notNull()
      .references(() => suites.id),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
  },
  (t) => [uniqueIndex('benchmarks_suite_name').on(t.suiteId, t.name)],
);

/** A benchmark with its parameters; `key` is the schema's canonical `caseKey(params)`. */
export const cases = sqliteTable(
  'cases',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    benchmarkId: integer('benchmark_id')
      .notNull()
      .references(() => benchmarks.id),
    key: text('key').notNull(),
    params: text('params', { mode: 'json' }).$type<Record<string, string | number | boolean>>().notNull(),
  },
  (t) => [uniqueIndex('cases_benchmark_key').on(t.benchmarkId, t.key)],
);

/** One uploaded run document. `id` is the document's uuid (the idempotency key). */
export const runs = sqliteTable(
  'runs',
  {
    pk: integer('pk').primaryKey({ autoIncrement: true }),
    id: text('id').notNull().unique(),
    machineId: integer('machine_id')
      .notNull()
      .references(() => machines.id, { onDelete: 'cascade' }),
    jobId: text('job_id'),
    startedAt: integer('started_at').notNull(),
    finishedAt: integer('finished_at').notNull(),
    /** The document's own timestamps, kept verbatim (with their offsets). */
    startedAtText: text('started_at_text').notNull(),
    finishedAtText: text('finished_at_text').notNull(),
    profile: text('profile').notNull(),
    gilbenchVersion: text('gilbench_version').notNull(),
    /** The machine facts as they were when the run was made. */
    machine: text('machine', { mode: 'json' }).$type<Machine>().notNull(),
    suites: text('suites', { mode: 'json' }).$type<SuiteInfo[]>().notNull(),
    warnings: text('warnings', { mode: 'json' }).$type<Warning[]>().notNull(),
    resultCount: integer('result_count').notNull(),
    receivedAt: integer('received_at').notNull(),
    /** Id of the token that uploaded the run. */
    uploadedBy: text('uploaded_by'),
  },
  (t) => [index('runs_machine_started').on(t.machineId, t.startedAt)],
);

/** The modes of a run, in document order. */
export const runModes = sqliteTable(
  'run_modes',
  {
    runPk: integer('run_pk')
      .notNull()
      .references(() => runs.pk, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    modeId: integer('mode_id')
      .notNull()
      .references(() => modes.id),
  },
  (t) => [primaryKey({ columns: [t.runPk, t.position] })],
);

/** Results of one machine, mode name and case over time. */
export const series = sqliteTable(
  'series',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    machineId: integer('machine_id')
      .notNull()
      .references(() => machines.id, { onDelete: 'cascade' }),
    caseId: integer('case_id')
      .notNull()
      .references(() => cases.id),
    /**
     * The mode id of the series' newest point, e.g. `cpython-3.13.15t/nogil`. A series is one machine, case and
     * mode kind, so it goes on across runtime releases and build kinds; each point keeps its own mode id.
     */
    modeName: text('mode_name').notNull(),
    mode: text('mode', { enum: MODE_KINDS }).notNull(),
    /** The detector reads points from this time on (set when a change is acknowledged). */
    baselineFrom: integer('baseline_from'),
    lastStartedAt: integer('last_started_at'),
    /** Results in the series (kept on ingest, so listings need no count over results). */
    pointCount: integer('point_count').notNull().default(0),
    /** Bumped by every change to the series' points, baseline or changes: keys the detector's cache. */
    version: integer('version').notNull().default(0),
  },
  (t) => [uniqueIndex('series_of_mode').on(t.machineId, t.caseId, t.mode), index('series_case').on(t.caseId)],
);

/** One result: statistics as uploaded plus the detector's level, computed from the samples. */
export const results = sqliteTable(
  'results',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    runPk: integer('run_pk')
      .notNull()
      .references(() => runs.pk, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    seriesId: integer('series_id')
      .notNull()
      .references(() => series.id),
    caseId: integer('case_id')
      .notNull()
      .references(() => cases.id),
    modeId: integer('mode_id')
      .notNull()
      .references(() => modes.id),
    /** The run's start (copied here for the series index). */
    startedAt: integer('started_at').notNull(),
    status: text('status', { enum: RESULT_STATUSES }).notNull(),
    unit: text('unit', { enum: ['ns'] }).notNull(),
    loopCostNs: real('loop_cost_ns').notNull(),
    loops: integer('loops').notNull(),
    opsPerLoop: integer('ops_per_loop').notNull(),
    processes: integer('processes').notNull(),
    /** Stats (all null when the document's `stats` is null). */
    n: integer('n'),
    mean: real('mean'),
    median: real('median'),
    min: real('min'),
    max: real('max'),
    sd: real('sd'),
    ciLow: real('ci_low'),
    ciHigh: real('ci_high'),
    margin: real('margin'),
    peakRssBytes: real('peak_rss_bytes'),
    checksum: text('checksum'),
    gilAfterLoad: integer('gil_after_load', { mode: 'boolean' }),
    gilAfterRun: integer('gil_after_run', { mode: 'boolean' }),
    loadBefore: real('load_before'),
    loadAfter: real('load_after'),
    wallMs: real('wall_ms').notNull(),
    warnings: text('warnings', { mode: 'json' }).$type<Warning[]>().notNull(),
    error: text('error', { mode: 'json' }).$type<{ message: string; stderrTail: string } | null>(),
    /** The detector's point: median of (samples - loop cost), recomputed here from the samples. */
    levelNs: real('level_ns'),
    /** Relative standard error of that median, from the samples' order statistics. */
    levelRse: real('level_rse'),
    /**
     * Raw samples: little-endian float64, ns per operation. In the row itself: the series
     * queries read the covering index only, so the row's width costs them nothing.
     */
    samples: blob('samples', { mode: 'buffer' }),
  },
  (t) => [
    // Ordered like the series queries (time, then run) and covering what the detector and the
    // history read, so both scan this index alone instead of one table page per point.
    index('results_series_time').on(
      t.seriesId,
      t.startedAt,
      t.runPk,
      t.position,
      t.status,
      t.levelNs,
      t.levelRse,
      t.n,
      t.median,
      t.ciLow,
      t.ciHigh,
      // Where the runtime changed is read from the same index (lag over the mode, in point order).
      t.modeId,
    ),
    index('results_run').on(t.runPk, t.position),
  ],
);

/** A change the detector found in a series. */
export const regressions = sqliteTable(
  'regressions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    seriesId: integer('series_id')
      .notNull()
      .references(() => series.id, { onDelete: 'cascade' }),
    /** First run after the change. */
    runPk: integer('run_pk')
      .notNull()
      .references(() => runs.pk, { onDelete: 'cascade' }),
    /** Last run before the change. */
    previousRunPk: integer('previous_run_pk').references(() => runs.pk, { onDelete: 'set null' }),
    /** The run whose upload made the detector decide. */
    detectedRunPk: integer('detected_run_pk').references(() => runs.pk, { onDelete: 'set null' }),
    kind: text('kind', { enum: ['regression', 'improvement'] }).notNull(),
    status: text('status', { enum: REGRESSION_STATUSES }).notNull().default('new'),
    note: text('note').notNull().default(''),
    /** Relative change of the level: 0.05 = 5% slower. */
    change: real('change').notNull(),
    changeCiLow: real('change_ci_low').notNull(),
    changeCiHigh: real('change_ci_high').notNull(),
    confidence: real('confidence').notNull(),
    score: real('score').notNull(),
    beforeNs: real('before_ns').notNull(),
    afterNs: real('after_ns').notNull(),
    /** Run-to-run noise of the series (relative SD) the decision used. */
    noise: real('noise').notNull(),
    beforeCount: integer('before_count').notNull(),
    afterCount: integer('after_count').notNull(),
    method: text('method').notNull(),
    startedAt: integer('started_at').notNull(),
    detectedAt: integer('detected_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('regressions_series_run').on(t.seriesId, t.runPk),
    index('regressions_status_time').on(t.status, t.startedAt),
    index('regressions_run').on(t.runPk),
  ],
);

/** A human note pinned to a time, optionally to a machine, series or run. */
export const annotations = sqliteTable(
  'annotations',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    text: text('text').notNull(),
    machineId: integer('machine_id').references(() => machines.id, { onDelete: 'cascade' }),
    seriesId: integer('series_id').references(() => series.id, { onDelete: 'cascade' }),
    runPk: integer('run_pk').references(() => runs.pk, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('annotations_at').on(t.at)],
);

/** What a job asks an agent to run. */
export interface JobSpec {
  suites: string[];
  modes: string[];
  labels: string[];
  profile: string | null;
  runtime: string | null;
}

export const schedules = sqliteTable('schedules', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  cron: text('cron').notNull(),
  timezone: text('timezone'),
  suites: text('suites', { mode: 'json' }).$type<string[]>().notNull(),
  modes: text('modes', { mode: 'json' }).$type<string[]>().notNull(),
  labels: text('labels', { mode: 'json' }).$type<string[]>().notNull(),
  profile: text('profile'),
  /** The runtime selector its jobs carry (a version, a runtime id or `newest`). */
  runtime: text('runtime'),
  enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
  /** The latest slot a job was made for (slots before it are never revisited). */
  lastSlot: integer('last_slot'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

export interface JobProgress {
  done: number;
  total: number;
  message: string;
  at: number;
}

export const jobs = sqliteTable(
  'jobs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    scheduleId: integer('schedule_id').references(() => schedules.id, { onDelete: 'set null' }),
    /** The cron slot this job was made for; unique per schedule, so a slot yields one job. */
    slot: integer('slot'),
    suites: text('suites', { mode: 'json' }).$type<string[]>().notNull(),
    modes: text('modes', { mode: 'json' }).$type<string[]>().notNull(),
    labels: text('labels', { mode: 'json' }).$type<string[]>().notNull(),
    profile: text('profile'),
    /** Which installed runtime the agent measures (a version, a runtime id or `newest`); null: its default pick. */
    runtime: text('runtime'),
    /** Only this machine may claim the job (null: any machine with the labels). */
    machineId: integer('machine_id').references(() => machines.id, { onDelete: 'cascade' }),
    status: text('status', { enum: JOB_STATUSES }).notNull().default('queued'),
    claimedBy: integer('claimed_by').references(() => machines.id, { onDelete: 'set null' }),
    claimedAt: integer('claimed_at'),
    leaseExpiresAt: integer('lease_expires_at'),
    leaseSeconds: integer('lease_seconds'),
    attempts: integer('attempts').notNull().default(0),
    /** Every machine that ever claimed the job, so one that lost its lease is told so (409), not refused (403). */
    holders: text('holders', { mode: 'json' }).$type<number[]>().notNull().default([]),
    progress: text('progress', { mode: 'json' }).$type<JobProgress | null>(),
    runId: text('run_id'),
    error: text('error'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    finishedAt: integer('finished_at'),
  },
  (t) => [
    uniqueIndex('jobs_schedule_slot').on(t.scheduleId, t.slot),
    index('jobs_status_created').on(t.status, t.createdAt),
  ],
);

/** Bearer tokens: `gb_<id>_<secret>`; only the SHA-256 of the secret is stored. */
export const tokens = sqliteTable('tokens', {
  id: text('id').primaryKey(),
  secretHash: blob('secret_hash', { mode: 'buffer' }).notNull(),
  role: text('role', { enum: TOKEN_ROLES }).notNull(),
  machineId: integer('machine_id').references(() => machines.id, { onDelete: 'cascade' }),
  name: text('name').notNull().default(''),
  createdAt: integer('created_at').notNull(),
  lastUsedAt: integer('last_used_at'),
  revokedAt: integer('revoked_at'),
  /** After this time the token is refused (null: never). */
  expiresAt: integer('expires_at'),
  /** Enrollments an enrollment token has left (null: no limit). */
  usesLeft: integer('uses_left'),
  /** Labels an enrollment token grants the machines it enrolls. */
  grantLabels: text('grant_labels', { mode: 'json' }).$type<string[]>().notNull().default([]),
});

/**
 * An enrollment for a fingerprint that is enrolled already, waiting for an admin. The
 * caller was given a token whose hash is kept here; it is stored as the machine's agent
 * token only on approval.
 */
export const enrollmentRequests = sqliteTable('enrollment_requests', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  machineId: integer('machine_id')
    .notNull()
    .references(() => machines.id, { onDelete: 'cascade' }),
  /** The machine facts the caller sent. */
  facts: text('facts', { mode: 'json' }).$type<Machine>().notNull(),
  tokenId: text('token_id').notNull().unique(),
  secretHash: blob('secret_hash', { mode: 'buffer' }).notNull(),
  tokenName: text('token_name').notNull(),
  /** The enrollment token that asked (null: none). */
  enrollTokenId: text('enroll_token_id'),
  status: text('status', { enum: ENROLLMENT_STATUSES }).notNull(),
  createdAt: integer('created_at').notNull(),
  decidedAt: integer('decided_at'),
});

/**
 * Answers about runs (a comparison's JSON, a scaling answer), computed once and kept:
 * runs never change, so neither do these. `key` names the question as the server asks it.
 */
export const answers = sqliteTable(
  'answers',
  {
    key: text('key').primaryKey(),
    text: text('text').notNull(),
    /** Strong ETag (quoted), from the text's hash. */
    etag: text('etag').notNull(),
    /** The text's size in UTF-8 bytes: what the total kept is bounded by (answers.trim). */
    bytes: integer('bytes').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  // The newest first when the total kept is trimmed.
  (t) => [index('answers_created').on(t.createdAt, t.key)],
);

/** The runs an answer is about: deleting one of them deletes the answer (runs.delete). */
export const answerRuns = sqliteTable(
  'answer_runs',
  {
    answerKey: text('answer_key')
      .notNull()
      .references(() => answers.key, { onDelete: 'cascade' }),
    runPk: integer('run_pk')
      .notNull()
      .references(() => runs.pk, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.answerKey, t.runPk] }), index('answer_runs_run').on(t.runPk)],
);
