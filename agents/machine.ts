/**
 * The agent's picture of its machine: systeminformation for the CPU, caches,
 * OS and virtualization; the file system for what it cannot see (cgroup
 * limits, frequency governor, boost, SMT, container hints).
 *
 * The fingerprint is the harness's `machineFingerprint` over the same facts a
 * laptop run (`gilbench run`) hashes, so both land in one series. Everything
 * else goes into `details` and may change without splitting a series.
 *
 * Collecting takes a fraction of a second and may start helper programs, so
 * the agent calls it before a job, never while a case is measured.
 *
 * @example
 * const machine = await collectMachine({ labels: ['nightly'] });
 * machine.fingerprint; // same as basicMachine(n).fingerprint on this machine
 */
import { existsSync, readFileSync } from 'node:fs';
import { arch, availableParallelism, cpus, hostname, release, totalmem, type } from 'node:os';
import si from 'systeminformation';
import { machineFingerprint } from '../harness/machine.ts';
import { cleanName } from '../harness/names.ts';
import { Machine } from '../harness/schema.ts';
import { readCgroupLimits } from './cgroup.ts';

/** A systeminformation call that does not answer in this time is skipped. */
const SI_TIMEOUT_MS = 10_000;

export interface CollectMachineOptions {
  labels?: string[];
  /** File system root for /proc and /sys reads (tests). */
  root?: string;
}

/**
 * Collects the machine's metadata; never fails for a fact it cannot read.
 * @example const m = await collectMachine({ labels: ['x86', 'nightly'] });
 */
export async function collectMachine(opts: CollectMachineOptions = {}): Promise<Machine> {
  const root = opts.root ?? '/';
  const [cpu, osInfo, system] = await Promise.all([
    withTimeout(si.cpu()),
    withTimeout(si.osInfo()),
    withTimeout(si.system()),
  ]);
  const nodeCpus = cpus();
  // The same facts, read the same way, as basicMachine(): the fingerprint must match a laptop run's.
  const facts = {
    // The server refuses invisible and bidi characters in names: they are left out here (and in basicMachine()).
    hostname: cleanName(hostname()),
    cpuBrand: nodeCpus[0]?.model.trim() ?? 'unknown',
    cores: Math.max(1, nodeCpus.length),
    usableCores: usableCores(root),
    memoryBytes: totalmem(),
    arch: arch(),
    os: type(),
  };
  const cgroup = readCgroupLimits({ root });
  const distro = osInfo ? [osInfo.distro, osInfo.release, osInfo.codename ? `(${osInfo.codename})` : ''] : [];
  const machine: Machine = {
    fingerprint: machineFingerprint(facts),
    hostname: facts.hostname,
    os: distro.filter(Boolean).join(' ') || facts.os,
    kernel: osInfo?.kernel || release(),
    arch: facts.arch,
    cpu: {
      brand: facts.cpuBrand,
      cores: facts.cores,
      physicalCores: cpu?.physicalCores && cpu.physicalCores > 0 ? cpu.physicalCores : null,
      usableCores: facts.usableCores,
      governor: readSys(root, 'sys/devices/system/cpu/cpu0/cpufreq/scaling_governor') ?? (cpu?.governor || null),
    },
    memoryBytes: facts.memoryBytes,
    details: {
      cpu: cpu
        ? {
            manufacturer: cpu.manufacturer,
            brand: cpu.brand,
            family: cpu.family,
            model: cpu.model,
            stepping: cpu.stepping,
            sockets: cpu.processors,
            speedGHz: cpu.speed || null,
            speedMaxGHz: cpu.speedMax || null,
            performanceCores: cpu.performanceCores ?? null,
            efficiencyCores: cpu.efficiencyCores ?? null,
          }
        : null,
      caches: cpu?.cache ?? null,
      frequency: {
        driver: readSys(root, 'sys/devices/system/cpu/cpu0/cpufreq/scaling_driver'),
        boost: boostState(root),
        smt: readSys(root, 'sys/devices/system/cpu/smt/active'),
      },
      virtualization: {
        virtual: system?.virtual ?? null,
        host: system?.virtualHost || null,
        model: system?.model || null,
        hypervisorFlag: cpu?.flags ? /\bhypervisor\b/.test(cpu.flags) : null,
        container: containerHints(root),
      },
      cgroup,
      nodeVersion: process.version,
      availableParallelism: availableParallelism(),
    },
    labels: [...new Set(opts.labels ?? [])],
  };
  return Machine.parse(machine);
}

/**
 * CPUs this process may run on: the affinity mask, as the runtime worker
 * counts it (Python's `os.sched_getaffinity`), so agent and laptop agree.
 * @example usableCores() // 2
 */
export function usableCores(root = '/'): number {
  const status = readSys(root, 'proc/self/status', false);
  const list = status ? /^Cpus_allowed_list:\s*(.+)$/m.exec(status)?.[1] : undefined;
  const count = list ? countCpuList(list) : 0;
  return count > 0 ? count : Math.max(1, availableParallelism());
}

/**
 * Counts a kernel CPU list such as `0-3,8,10-11`.
 * @example countCpuList('0-3,8') === 5
 */
export function countCpuList(list: string): number {
  let count = 0;
  for (const part of list.trim().split(',')) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!match) return 0;
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    if (last < first) return 0;
    count += last - first + 1;
  }
  return count;
}

/** Turbo/boost: `on`, `off`, or null when the kernel does not say. */
function boostState(root: string): 'on' | 'off' | null {
  const boost = readSys(root, 'sys/devices/system/cpu/cpufreq/boost');
  if (boost !== null) return boost === '1' ? 'on' : 'off';
  const noTurbo = readSys(root, 'sys/devices/system/cpu/intel_pstate/no_turbo');
  if (noTurbo !== null) return noTurbo === '1' ? 'off' : 'on';
  return null;
}

/** Signs of a container: marker files and the cgroup paths container engines use. */
function containerHints(root: string): string[] {
  const hints: string[] = [];
  const at = (p: string) => `${root.replace(/\/$/, '')}/${p}`;
  if (existsSync(at('.dockerenv'))) hints.push('docker (/.dockerenv)');
  if (existsSync(at('run/.containerenv'))) hints.push('podman (/run/.containerenv)');
  const cgroup = readSys(root, 'proc/1/cgroup', false) ?? '';
  for (const [pattern, name] of [
    [/docker|containerd/, 'docker/containerd cgroup'],
    [/kubepods/, 'kubernetes cgroup'],
    [/\blxc\b/, 'lxc cgroup'],
  ] as const) {
    if (pattern.test(cgroup)) hints.push(name);
  }
  const container = process.env.container;
  if (container) hints.push(`container=${container}`);
  return hints;
}

function readSys(root: string, file: string, trim = true): string | null {
  try {
    const text = readFileSync(`${root.replace(/\/$/, '')}/${file}`, 'utf8');
    return trim ? text.trim() : text;
  } catch {
    return null;
  }
}

async function withTimeout<T>(promise: Promise<T>): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), SI_TIMEOUT_MS);
  });
  try {
    return await Promise.race([promise.catch(() => null), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
