/**
 * The CPU and memory limits of the cgroup this process runs in, read from the
 * cgroup file system directly: systeminformation reports the host's cores and
 * memory, while a container may get a fraction of them.
 *
 * Handles cgroup v2 (`cpu.max`, `memory.max`) and v1 (`cpu.cfs_quota_us` /
 * `cpu.cfs_period_us`, `memory.limit_in_bytes`). The tightest limit on the
 * path from this process's cgroup up to the mount's root wins, because a
 * parent's limit binds its children too.
 *
 * @example
 * const limits = readCgroupLimits(); // { version: 2, cpuQuotaCores: 1.5, memoryLimitBytes: 2147483648, path: '/system.slice/x' }
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface CgroupLimits {
  /** 1 or 2; null when no cgroup file system is readable (macOS, or no /proc). */
  version: 1 | 2 | null;
  /** CPU time allowed per wall second, in cores (1.5 = one and a half cores); null when unlimited. */
  cpuQuotaCores: number | null;
  /** Memory limit in bytes; null when unlimited. */
  memoryLimitBytes: number | null;
  /** This process's cgroup path as /proc/self/cgroup names it (v2, or v1's cpu controller). */
  path: string | null;
}

/** v1 writes "unlimited" as a page-aligned number near 2^63. */
const V1_UNLIMITED = 2 ** 62;

export interface CgroupReadOptions {
  /** File system root to read under (tests point this at a folder laid out like /). */
  root?: string;
  /** The cgroup membership text; default: `<root>/proc/self/cgroup`. */
  membership?: string;
}

/**
 * Reads the limits; never throws (an unreadable file means "unknown").
 * @example readCgroupLimits({ root: '/tmp/fake-root' })
 */
export function readCgroupLimits(opts: CgroupReadOptions = {}): CgroupLimits {
  const root = opts.root ?? '/';
  const membership = opts.membership ?? readText(path.join(root, 'proc/self/cgroup'));
  const none: CgroupLimits = { version: null, cpuQuotaCores: null, memoryLimitBytes: null, path: null };
  if (membership === null) return none;
  const lines = parseMembership(membership);
  const mountRoot = path.join(root, 'sys/fs/cgroup');

  const v1Cpu = lines.find((l) => l.controllers.includes('cpu'));
  const v1Memory = lines.find((l) => l.controllers.includes('memory'));
  if (v1Cpu || v1Memory) {
    return {
      version: 1,
      cpuQuotaCores: v1Cpu ? tightest(v1Dirs(mountRoot, v1Cpu), readV1Cpu) : null,
      memoryLimitBytes: v1Memory ? tightest(v1Dirs(mountRoot, v1Memory), readV1Memory) : null,
      path: v1Cpu?.path ?? v1Memory?.path ?? null,
    };
  }
  const unified = lines.find((l) => l.hierarchy === '0' && l.controllers.length === 0);
  if (!unified) return none;
  const dirs = ancestors(mountRoot, unified.path);
  return {
    version: 2,
    cpuQuotaCores: tightest(dirs, readV2Cpu),
    memoryLimitBytes: tightest(dirs, readV2Memory),
    path: unified.path,
  };
}

interface MembershipLine {
  hierarchy: string;
  controllers: string[];
  path: string;
}

/** `/proc/self/cgroup` lines: `hierarchy-id:controller,list:/path`. */
export function parseMembership(text: string): MembershipLine[] {
  const lines: MembershipLine[] = [];
  for (const line of text.split('\n')) {
    const match = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!match) continue;
    const controllers = match[2]!.split(',').filter((c) => c && !c.startsWith('name='));
    // A named hierarchy without controllers (name=systemd) says nothing about limits.
    if (match[1] !== '0' && controllers.length === 0) continue;
    lines.push({ hierarchy: match[1]!, controllers, path: match[3]! || '/' });
  }
  return lines;
}

/**
 * Folders from the cgroup up to the mount root. Inside a container with its
 * own cgroup namespace the path may not exist under the mount (the mount
 * already is the container's cgroup); the root still holds its limits.
 */
function ancestors(mount: string, cgroupPath: string): string[] {
  const dirs: string[] = [];
  let current = path.posix.normalize(`/${cgroupPath}`);
  for (;;) {
    dirs.push(path.join(mount, current));
    if (current === '/') break;
    current = path.posix.dirname(current);
  }
  return dirs;
}

function v1Dirs(mountRoot: string, line: MembershipLine): string[] {
  // v1 mounts each hierarchy under the joined controller names, often with a symlink per controller.
  const mountNames = [line.controllers.join(','), ...line.controllers];
  const mount = mountNames.map((name) => path.join(mountRoot, name)).find((dir) => existsSync(dir));
  return mount ? ancestors(mount, line.path) : [];
}

function tightest(dirs: string[], read: (dir: string) => number | null): number | null {
  let best: number | null = null;
  for (const dir of dirs) {
    const value = read(dir);
    if (value !== null && (best === null || value < best)) best = value;
  }
  return best;
}

function readV2Cpu(dir: string): number | null {
  const text = readText(path.join(dir, 'cpu.max'));
  if (text === null) return null;
  const [quota, period] = text.trim().split(/\s+/);
  if (!quota || quota === 'max') return null;
  return ratio(Number(quota), Number(period ?? 100_000));
}

function readV2Memory(dir: string): number | null {
  const text = readText(path.join(dir, 'memory.max'))?.trim();
  if (!text || text === 'max') return null;
  return positiveOrNull(Number(text));
}

function readV1Cpu(dir: string): number | null {
  const quota = Number(readText(path.join(dir, 'cpu.cfs_quota_us'))?.trim());
  const period = Number(readText(path.join(dir, 'cpu.cfs_period_us'))?.trim());
  if (!Number.isFinite(quota) || quota <= 0) return null; // -1 means no quota
  return ratio(quota, period);
}

function readV1Memory(dir: string): number | null {
  const value = Number(readText(path.join(dir, 'memory.limit_in_bytes'))?.trim());
  if (!Number.isFinite(value) || value >= V1_UNLIMITED) return null;
  return positiveOrNull(value);
}

function ratio(quota: number, period: number): number | null {
  if (!Number.isFinite(quota) || !Number.isFinite(period) || quota <= 0 || period <= 0) return null;
  return Math.round((quota / period) * 1000) / 1000;
}

function positiveOrNull(value: number): number | null {
  return Number.isFinite(value) && value > 0 ? value : null;
}

function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}
