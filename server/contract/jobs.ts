/**
 * Jobs: requests for a run, made by hand or by a schedule, claimed by one
 * agent under a lease, with live progress.
 *
 * @example
 * const { job } = ClaimResponse.parse(await client.request('POST', '/jobs/claim', { labels: [] }));
 */
import { z } from 'zod';
import { id, label, limit, Millis, name, RowId, runId } from './common.ts';
import { JOB_STATUSES } from './enums.ts';
import { RuntimeSelector } from './runtime-selector.ts';

export const JobsQuery = z.object({
  status: z.enum(JOB_STATUSES).optional(),
  machine: id.optional(),
  schedule: id.optional(),
  limit: limit(1000, 200),
});
export const JobBody = z.object({
  suites: z.array(name).min(1).max(100),
  modes: z.array(name).min(1).max(20),
  labels: z.array(label).max(50).optional(),
  profile: name.nullable().optional(),
  runtime: RuntimeSelector.nullable().optional(),
  machineId: id.nullable().optional().describe('only this machine may claim it'),
});
export const ClaimBody = z.object({
  labels: z
    .array(label)
    .max(50)
    .optional()
    .describe("the agent's labels: ignored for matching (only the machine's granted labels route jobs)"),
  leaseSeconds: z
    .number()
    .int()
    .min(10)
    .max(7 * 86_400)
    .default(900)
    .describe(
      "the lease asked for; the server grants at most its cap (--max-lease, 4 h by default): see the job's leaseSeconds",
    ),
  machineId: id.optional().describe('admin only: claim for this machine'),
});
export const ProgressBody = z.object({
  done: z.number().int().min(0).max(1e9),
  total: z.number().int().min(0).max(1e9),
  message: z.string().max(500).default(''),
});
export const CompleteBody = z.object({ runId });
export const FailBody = z.object({ error: z.string().min(1).max(4000), requeue: z.boolean().default(false) });

export const Job = z.object({
  id: RowId,
  scheduleId: RowId.nullable(),
  slot: Millis.nullable(),
  status: z.enum(JOB_STATUSES),
  suites: z.array(z.string()).min(1),
  modes: z.array(z.string()).min(1),
  labels: z.array(z.string()),
  profile: z.string().nullable(),
  /**
   * Which installed runtime to measure (a version, a runtime id or `newest`), as `gilbench run --runtime`;
   * null: the agent's default pick. Optional only so an agent still reads a job from a server older than it.
   */
  runtime: z.string().nullable().optional(),
  machineId: RowId.nullable(),
  claimedBy: RowId.nullable(),
  claimedAt: Millis.nullable(),
  leaseExpiresAt: Millis.nullable(),
  leaseSeconds: z.number().int().nullable(),
  attempts: z.number().int().nonnegative(),
  progress: z.object({ done: z.number(), total: z.number(), message: z.string(), at: Millis }).nullable(),
  runId: runId.nullable(),
  error: z.string().nullable(),
  createdAt: Millis,
  updatedAt: Millis,
  finishedAt: Millis.nullable(),
});
export type Job = z.infer<typeof Job>;

export const JobsResponse = z.object({ jobs: z.array(Job) });
export const JobResponse = z.object({ job: Job });
/** `{job: null}` when no job this machine may run is waiting. */
export const ClaimResponse = z.object({ job: Job.nullable() });
export type ClaimResponse = z.infer<typeof ClaimResponse>;
