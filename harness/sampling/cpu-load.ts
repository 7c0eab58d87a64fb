/**
 * How busy the machine was with other work while a case ran: system CPU time
 * from /proc/stat minus the CPU time of our own processes (the workers and
 * this Node process). Linux only; elsewhere the check says "unknown".
 *
 * @example
 * const before = cpuSnapshot([worker.pid]);
 * // ... measure ...
 * const busy = otherLoad(before, cpuSnapshot([worker.pid])); // cores used by others, or null
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

/** Linux reports /proc times in USER_HZ ticks, 100 per second on every mainstream architecture. */
const TICKS_PER_SECOND = 100;

export interface CpuSnapshot {
  atMs: number;
  /** Non-idle ticks of all CPUs, or null off Linux. */
  busyTicks: number | null;
  /** CPU ticks of our worker processes, by pid. */
  workerTicks: Map<number, number>;
  ownCpuMicros: number;
  loadAvg1: number;
}

function readBusyTicks(): number | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const [, ...fields] = line.trim().split(/\s+/);
    const ticks = fields.map(Number);
    // user nice system idle iowait irq softirq steal ...: idle and iowait are not busy.
    const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
    return total - (ticks[3] ?? 0) - (ticks[4] ?? 0);
  } catch {
    return null;
  }
}

function readProcessTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may itself hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  } catch {
    return null;
  }
}

/** Reads the counters now; pass the pids of the workers alive at this moment. */
export function cpuSnapshot(pids: number[]): CpuSnapshot {
  const workerTicks = new Map<number, number>();
  for (const pid of pids) {
    const ticks = readProcessTicks(pid);
    if (ticks !== null) workerTicks.set(pid, ticks);
  }
  const usage = process.cpuUsage();
  return {
    atMs: performance.now(),
    busyTicks: readBusyTicks(),
    workerTicks,
    ownCpuMicros: usage.user + usage.system,
    loadAvg1: loadavg()[0] ?? 0,
  };
}

/**
 * CPU cores' worth of work done by other processes between two snapshots
 * (0.5 = half a core on average), or null when it cannot be known.
 * A worker that exited between the snapshots counts with its last reading.
 */
export function otherLoad(before: CpuSnapshot, after: CpuSnapshot): number | null {
  if (before.busyTicks === null || after.busyTicks === null) return null;
  const seconds = (after.atMs - before.atMs) / 1000;
  if (seconds <= 0.05) return null;
  let ours = (after.ownCpuMicros - before.ownCpuMicros) / 1e6;
  for (const [pid, start] of before.workerTicks) {
    const end = after.workerTicks.get(pid) ?? start;
    ours += (end - start) / TICKS_PER_SECOND;
  }
  const all = (after.busyTicks - before.busyTicks) / TICKS_PER_SECOND;
  return Math.max(0, (all - ours) / seconds);
}
