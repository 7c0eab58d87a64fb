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
export const MachinePatch = z.object({ labels: z.array(label).max(50) });

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
  labels: z.array(z.string()),
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
/** The machine's own agent token: shown in this answer only. */
export const EnrollResponse = z.object({ machineId: RowId, token: z.string().min(1), machine: MachineInfo });
export type EnrollResponse = z.infer<typeof EnrollResponse>;
export const HeartbeatResponse = z.object({ machine: MachineInfo, now: Millis });
