/**
 * Machines and their agents: enrollment, heartbeat, labels, and the machine
 * as the API shows it (its latest run, last contact, open regressions).
 *
 * @example
 * const { machines } = MachinesResponse.parse(await (await fetch('/api/v1/machines')).json());
 */
import { z } from 'zod';
import { Machine } from '../../harness/schema.ts';
import { id, label, Millis, RowId } from './common.ts';
import { ENROLLMENT_STATUSES } from './enums.ts';
import { RunInfo } from './runs.ts';

export const EnrollBody = z.object({ machine: Machine });
export const HeartbeatBody = z.object({
  status: z.enum(['idle', 'running']).default('idle'),
  jobId: z
    .union([z.string().max(100), z.number()])
    .nullable()
    .optional(),
  machine: Machine.optional(),
  machineId: id.optional().describe('admin only: the machine the heartbeat is for'),
});
export const MachinePatch = z
  .object({
    labels: z
      .array(label)
      .max(50)
      .optional()
      .describe('the granted labels (jobs go to machines with all their labels)'),
    accept: z.array(label).max(50).optional().describe('declared labels to grant as well (each must be declared)'),
  })
  .refine((p) => p.labels !== undefined || p.accept !== undefined, { message: 'give labels, accept, or both' });

/** A machine with what the server knows of it. */
export const MachineInfo = z.object({
  id: RowId,
  fingerprint: z.string(),
  hostname: z.string(),
  os: z.string(),
  kernel: z.string(),
  arch: z.string(),
  cpu: Machine.shape.cpu,
  memoryBytes: z.number(),
  /** Granted labels (an admin's or the enrollment token's): only these route jobs. */
  labels: z.array(z.string()),
  /** Labels the agent declared: shown, granting nothing until an admin accepts them. */
  declaredLabels: z.array(z.string()),
  details: z.record(z.string(), z.unknown()),
  firstSeen: Millis,
  lastSeen: Millis,
  runCount: z.number().int().nonnegative(),
  latestRun: RunInfo.nullable(),
  /** Regressions with status `new`. */
  openRegressions: z.number().int().nonnegative(),
});
export type MachineInfo = z.infer<typeof MachineInfo>;

export const MachinesResponse = z.object({ machines: z.array(MachineInfo) });
export const MachineResponse = z.object({ machine: MachineInfo });
/** A request to enroll a fingerprint that is enrolled already: it waits for an admin. */
export const EnrollmentRequest = z.object({
  id: RowId,
  machineId: RowId,
  fingerprint: z.string(),
  facts: Machine,
  status: z.enum(ENROLLMENT_STATUSES),
  tokenId: z.string(),
  enrollTokenId: z.string().nullable(),
  createdAt: Millis,
  decidedAt: Millis.nullable(),
});
export type EnrollmentRequest = z.infer<typeof EnrollmentRequest>;
export const EnrollmentsQuery = z.object({ status: z.enum(ENROLLMENT_STATUSES).optional() });
export const EnrollmentsResponse = z.object({ requests: z.array(EnrollmentRequest) });
export const EnrollmentResponse = z.object({ request: EnrollmentRequest });

/**
 * The machine's own agent token: shown in this answer only. With `request` (answered 202)
 * the machine was enrolled already: the token works once an admin approves the request.
 */
export const EnrollResponse = z.object({
  machineId: RowId,
  token: z.string().min(1),
  machine: MachineInfo,
  request: EnrollmentRequest.nullable().optional(),
});
export type EnrollResponse = z.infer<typeof EnrollResponse>;
export const HeartbeatResponse = z.object({ machine: MachineInfo, now: Millis });
