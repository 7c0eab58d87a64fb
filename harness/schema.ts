/**
 * The run document: the one contract shared by the harness, the agent, the
 * server and the web pages. Validated with zod on both sides of an upload.
 *
 * Units are explicit: every time is in nanoseconds per operation (`ns`),
 * every comparison is a unitless ratio. tinybench's milliseconds never get
 * in here (see harness/sampling).
 *
 * @example
 * const doc = RunDocument.parse(JSON.parse(text)); // throws a ZodError on bad input
 */
import { z } from 'zod';

export const RUN_SCHEMA = 'gilbench.run/v1' as const;

/** A finite number (zod 4 already rejects NaN and ±Infinity; named for intent). */
const finite = z.number();
const nonNegative = z.number().nonnegative();
const positive = z.number().positive();
const shortText = z.string().max(2000);
const name = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_.:@+\-/ =,[\]]+$/, 'use letters, digits and _.:@+-/ =,[] only');

/**
 * How a runtime is run: `gil` the default build; `nogil` the free-threaded build as users run it (no
 * PYTHON_GIL); `nogil-forced` the free-threaded build with PYTHON_GIL=0; `ft-gil` with PYTHON_GIL=1.
 */
export const ModeName = z.enum(['gil', 'nogil', 'nogil-forced', 'ft-gil']);
export type ModeName = z.infer<typeof ModeName>;

/** One interpreter build on one machine. */
export const Runtime = z.object({
  /** e.g. `cpython-3.13.5t`: implementation, version, `t` for free-threaded, `-release` for a PGO + LTO build. */
  id: name,
  implementation: z.string().min(1).max(50),
  version: z.string().min(1).max(50),
  freeThreaded: z.boolean(),
  /** Whether the GIL is on when the interpreter starts with no PYTHON_GIL set. */
  gilEnabledByDefault: z.boolean(),
  configureArgs: shortText,
  compiler: shortText,
  /** Source revision when known (git describe, or the source package version). */
  revision: shortText.nullable(),
  executable: shortText,
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /**
   * `fast` (no PGO/LTO: quick to build, slower to run) or `release` (PGO + LTO, as distributions ship);
   * absent in documents written before build kinds were recorded (those were fast builds).
   */
  buildKind: z.enum(['fast', 'release']).optional(),
});
export type Runtime = z.infer<typeof Runtime>;

/** A runtime plus how it is run; its id reads like `cpython-3.13.5t/nogil`. */
export const Mode = z.object({
  id: name,
  mode: ModeName,
  /** Environment set for every worker of this mode, e.g. `{ PYTHON_GIL: '0' }`. */
  env: z.record(z.string().max(100), z.string().max(1000)),
  runtime: Runtime,
});
export type Mode = z.infer<typeof Mode>;

/** A case's parameters: scalar values only, so a case key is canonical. */
export const CaseParams = z.record(z.string().min(1).max(100), z.union([z.string().max(200), finite, z.boolean()]));
export type CaseParams = z.infer<typeof CaseParams>;

export const Warning = z.object({
  code: z.enum([
    'unstable',
    'too-few-samples',
    'timer-saturated',
    'machine-busy',
    'gil-reenabled',
    /** nogil-forced: a module would have turned the GIL on without PYTHON_GIL=0 (the message names it). */
    'gil-forced-off',
    'checksum-mismatch',
    'other',
  ]),
  message: shortText,
});
export type Warning = z.infer<typeof Warning>;

/** Descriptive statistics of one result, in the result's unit. */
export const Stats = z.object({
  n: z.number().int().nonnegative(),
  mean: finite,
  /** The headline value: robust against the outliers a shared machine produces. */
  median: finite,
  min: finite,
  max: finite,
  sd: nonNegative,
  /** 95% confidence interval of the median (distribution-free, order statistics). */
  ciLow: finite,
  ciHigh: finite,
  /** Half-width of the CI relative to the median (0.01 = ±1%). */
  margin: nonNegative,
});
export type Stats = z.infer<typeof Stats>;

/** All samples of one case in one mode in one run. */
export const Result = z.object({
  suite: name,
  /** Benchmark name within its suite, e.g. `shared-dict-read`. */
  benchmark: name,
  params: CaseParams,
  /** The mode's id (one of the document's `modes[].id`). */
  mode: name,
  /** `invalid`: measured, but must not be used (e.g. nogil while the GIL was on). */
  status: z.enum(['ok', 'error', 'invalid']),
  unit: z.enum(['ns']),
  /**
   * Raw samples: time per operation in ns as timed inside the runtime, before
   * the loop cost is subtracted (so always > 0). Order = order of collection,
   * round-robin over `processes` worker processes.
   */
  samples: z.array(positive).max(100_000),
  /** Empty-loop cost per operation subtracted from every sample for the stats. */
  loopCostNs: nonNegative,
  loops: z.number().int().nonnegative(),
  /** Operations per loop iteration (e.g. a kernel that unrolls 10 calls). */
  opsPerLoop: z.number().int().positive(),
  processes: z.number().int().nonnegative(),
  /** Statistics of `samples[i] - loopCostNs`; null when no sample was taken. */
  stats: Stats.nullable(),
  /** Peak resident set size of the worker process(es), from the OS. */
  peakRssBytes: nonNegative.nullable(),
  /** What the benchmark returned once, for cross-mode correctness checks. */
  checksum: z.string().max(200).nullable(),
  /** GIL state seen by the worker after loading and after running. */
  gil: z.object({
    afterLoad: z.boolean().nullable(),
    afterRun: z.boolean().nullable(),
    /** Modules whose import turned the GIL on (or, in nogil-forced, would have); absent when none. */
    enabledBy: z.array(z.string().min(1).max(200)).max(50).optional(),
  }),
  /** Machine load average (1 min) before and after the case, when known. */
  load: z.object({ before: nonNegative.nullable(), after: nonNegative.nullable() }),
  wallMs: nonNegative,
  warnings: z.array(Warning).max(50),
  error: z.object({ message: shortText, stderrTail: z.string().max(8000) }).nullable(),
});
export type Result = z.infer<typeof Result>;

/** What the run knew about each suite's case matrix (for charts and tables). */
export const SuiteInfo = z.object({
  name,
  description: shortText,
  benchmarks: z
    .array(
      z.object({
        name,
        description: shortText,
        /** Parameter name -> the values this run's matrix used. */
        params: z.record(z.string().max(100), z.array(z.union([z.string().max(200), finite, z.boolean()])).max(100)),
        opsPerLoop: z.number().int().positive(),
        /** The kind of work, e.g. `objects` or `numeric` (a geometric mean is reported per category). */
        category: name.optional(),
      }),
    )
    .max(1000),
});
export type SuiteInfo = z.infer<typeof SuiteInfo>;

/** Facts about the machine; the fingerprint decides which results form one series. */
export const Machine = z.object({
  fingerprint: z.string().min(8).max(128),
  hostname: z.string().max(255),
  os: shortText,
  kernel: shortText,
  arch: z.string().max(50),
  cpu: z.object({
    brand: shortText,
    cores: z.number().int().positive(),
    physicalCores: z.number().int().positive().nullable(),
    /** CPUs this process may run on (the affinity mask / cgroup quota), not the machine's count. */
    usableCores: z.number().int().positive(),
    governor: z.string().max(100).nullable(),
  }),
  memoryBytes: nonNegative,
  /** Anything else the agent learned (caches, boost, virtualization, cgroup limits...). */
  details: z.record(z.string().max(100), z.unknown()).default({}),
  labels: z.array(z.string().min(1).max(100)).max(50).default([]),
});
export type Machine = z.infer<typeof Machine>;

export const RunDocument = z.object({
  schema: z.literal(RUN_SCHEMA),
  /** Run id: the idempotency key of an upload. */
  id: z.string().uuid(),
  startedAt: z.string().datetime({ offset: true }),
  finishedAt: z.string().datetime({ offset: true }),
  profile: name,
  gilbenchVersion: z.string().max(50),
  machine: Machine,
  /** Set when the run was made for a server job. */
  jobId: z.string().max(100).nullable().default(null),
  modes: z.array(Mode).min(1).max(20),
  suites: z.array(SuiteInfo).max(100),
  results: z.array(Result).max(20_000),
  warnings: z.array(Warning).max(100),
});
export type RunDocument = z.infer<typeof RunDocument>;

// The case key and id live in case-key.ts (browser-safe, no zod); re-exported for the schema's users.
export { caseId, caseKey } from './case-key.ts';
