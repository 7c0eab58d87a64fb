/**
 * The runtime worker protocol as data: for every command worker.py answers,
 * the zod schema of its request and of its reply. The client (client.ts)
 * checks each request before it is written and parses each reply against the
 * schema of the command it answers, so a reply of the wrong shape is a
 * `protocol` failure of the worker and never reaches a caller as data.
 *
 * The wire format is worker.py's (JSON lines): `{"cmd": ..., "id": n, ...}`
 * out, `{"ok": true, "id": n, ...}` or `{"ok": false, "id": n, "error": ...,
 * "kind": ...}` back. `cmd`, `id` and `ok` are the envelope and are not in
 * the schemas below.
 *
 * @example
 * const reply = WORKER_REPLIES.sample.parse({ ns: 120_000, empty_ns: null }); // { ns: 120000, empty_ns: null }
 */
import { z } from 'zod';
import { CaseParams } from '../schema.ts';

const count = z.number().int().nonnegative();
/** A request with no fields of its own (loose: its type must leave room for `cmd`). */
const noFields = z.looseObject({});

/** What each command sends besides `cmd` (and the client's `id`). */
export const WORKER_REQUESTS = {
  /** The interpreter's facts; the first request of every worker. */
  hello: noFields,
  /** A suite file's docstring and benchmarks. */
  list: z.object({ file: z.string().min(1) }),
  /** Runs a benchmark's setup, computes its checksum, starts its threads. */
  load: z.object({
    file: z.string().min(1),
    benchmark: z.string().min(1),
    params: CaseParams,
    /** Pin each thread to its own core. */
    pin: z.boolean().optional(),
  }),
  /** The loop count that makes one sample last about `target_ns`. */
  calibrate: z.object({ target_ns: z.number().positive(), max_loops: z.number().int().positive().optional() }),
  /** One timed batch of `loops` iterations, after `empty_loops` empty ones timed alone. */
  sample: z.object({ loops: z.number().int().positive(), empty_loops: count.optional() }),
  /** Whether the GIL is on now. */
  gil: noFields,
  /** The process's peak resident set. */
  rss: noFields,
  /** Tears the case down and ends the process. */
  exit: noFields,
} as const;

/** What each command answers besides `ok` and `id`. */
export const WORKER_REPLIES = {
  hello: z.object({
    python: z.string(),
    version: z.string(),
    implementation: z.string(),
    gil_enabled: z.boolean(),
    usable_cores: z.number().int().positive(),
    pid: z.number().int().positive(),
    timer_resolution_ns: z.number().nonnegative(),
    /** Modules whose import turned the GIL back on so far (CPython's RuntimeWarning names them). */
    gil_enabled_by: z.array(z.string()).optional(),
  }),
  list: z.object({
    description: z.string(),
    benchmarks: z.array(
      z.object({
        name: z.string(),
        /** Parameter name -> the values the suite declares. */
        params: z.record(z.string(), z.array(z.union([z.string(), z.number(), z.boolean()]))),
        ops: z.number().int().positive(),
        doc: z.string(),
        /** The kind of work (numeric, objects, text, data), for the per-category means. */
        category: z.string().nullable().optional(),
      }),
    ),
  }),
  load: z.object({
    /** A short hash of what the benchmark returned once; null when it returned None. */
    checksum: z.string().nullable(),
    ops: z.number().int().positive(),
    threaded: z.boolean(),
    gil_enabled: z.boolean(),
    gil_enabled_by: z.array(z.string()).optional(),
  }),
  calibrate: z.object({ loops: z.number().int().positive() }),
  /** `empty_ns` is null when no empty loop was asked for, or the case is threaded. */
  sample: z.object({ ns: count, empty_ns: count.nullable() }),
  gil: z.object({ gil_enabled: z.boolean(), gil_enabled_by: z.array(z.string()).optional() }),
  rss: z.object({ peak_rss_bytes: count.nullable() }),
  exit: z.object({}),
} as const;

/** A failed request, as worker.py answers it. */
export const WorkerFailureReply = z.object({
  ok: z.literal(false),
  error: z.string(),
  /** `benchmark`: the user's code raised; `protocol`: the request itself was wrong. */
  kind: z.enum(['benchmark', 'protocol']),
  traceback: z.string().optional(),
});

export type WorkerCommand = keyof typeof WORKER_REPLIES;
/** A request of one command, as a caller writes it. */
export type WorkerRequest<C extends WorkerCommand> = { cmd: C } & z.input<(typeof WORKER_REQUESTS)[C]>;
/** The reply of one command, as the client hands it back. */
export type WorkerReply<C extends WorkerCommand> = z.output<(typeof WORKER_REPLIES)[C]>;
/** What a worker reports about its interpreter when it starts. */
export type WorkerHello = WorkerReply<'hello'>;

/** Whether `cmd` is a command of the protocol. */
export function isWorkerCommand(cmd: unknown): cmd is WorkerCommand {
  return typeof cmd === 'string' && Object.hasOwn(WORKER_REPLIES, cmd);
}

/**
 * A reply checked against the schema of the command it answers: its fields
 * (the envelope and unknown keys dropped), or why it is not a valid reply.
 * @example checkReply('calibrate', { ok: true, id: 3, loops: 0 }) // { problem: "'calibrate' reply: loops: Too small: expected number to be >0" }
 */
export function checkReply<C extends WorkerCommand>(
  cmd: C,
  reply: unknown,
): { data: WorkerReply<C>; problem?: undefined } | { data?: undefined; problem: string } {
  const parsed = WORKER_REPLIES[cmd].safeParse(reply);
  return parsed.success
    ? { data: parsed.data as WorkerReply<C> }
    : { problem: describe(`'${cmd}' reply`, parsed.error) };
}

/**
 * Why a request is not one the protocol knows, in one line; null when it is valid.
 * @example requestProblem({ cmd: 'sample', loops: 0 }) // "'sample' request: loops: Too small: expected number to be >0"
 */
export function requestProblem(body: { cmd: unknown; [field: string]: unknown }): string | null {
  if (!isWorkerCommand(body.cmd)) return `unknown worker command ${JSON.stringify(body.cmd)}`;
  const { cmd: _, ...fields } = body;
  const parsed = WORKER_REQUESTS[body.cmd].safeParse(fields);
  return parsed.success ? null : describe(`'${body.cmd}' request`, parsed.error);
}

function describe(what: string, error: z.ZodError): string {
  const issue = error.issues[0]!;
  return `${what}: ${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`;
}
