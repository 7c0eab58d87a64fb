import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseMembership, readCgroupLimits } from './cgroup.ts';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A folder laid out like `/`, holding only the files given. */
function fakeRoot(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'gilbench-cgroup-'));
  roots.push(root);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}

describe('readCgroupLimits', () => {
  it('reads cgroup v2 cpu.max and memory.max of the process cgroup', () => {
    const root = fakeRoot({
      'proc/self/cgroup': '0::/system.slice/bench.service\n',
      'sys/fs/cgroup/system.slice/bench.service/cpu.max': '150000 100000\n',
      'sys/fs/cgroup/system.slice/bench.service/memory.max': '2147483648\n',
    });
    expect(readCgroupLimits({ root })).toEqual({
      version: 2,
      cpuQuotaCores: 1.5,
      memoryLimitBytes: 2147483648,
      path: '/system.slice/bench.service',
    });
  });

  it('takes the tightest limit on the way up to the root (v2)', () => {
    const root = fakeRoot({
      'proc/self/cgroup': '0::/a/b\n',
      'sys/fs/cgroup/a/b/cpu.max': 'max 100000\n',
      'sys/fs/cgroup/a/b/memory.max': '8589934592\n',
      'sys/fs/cgroup/a/cpu.max': '50000 100000\n',
      'sys/fs/cgroup/a/memory.max': 'max\n',
    });
    const limits = readCgroupLimits({ root });
    expect(limits.cpuQuotaCores).toBe(0.5);
    expect(limits.memoryLimitBytes).toBe(8589934592);
  });

  it('reports no limit when v2 says max everywhere', () => {
    const root = fakeRoot({
      'proc/self/cgroup': '0::/\n',
      'sys/fs/cgroup/cpu.max': 'max 100000\n',
      'sys/fs/cgroup/memory.max': 'max\n',
    });
    expect(readCgroupLimits({ root })).toMatchObject({ version: 2, cpuQuotaCores: null, memoryLimitBytes: null });
  });

  it('reads cgroup v1 quota/period and memory limit, with joined controller mounts', () => {
    const root = fakeRoot({
      'proc/self/cgroup': '12:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n1:name=systemd:/docker/abc\n',
      'sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us': '200000\n',
      'sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_period_us': '100000\n',
      'sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes': '1073741824\n',
    });
    expect(readCgroupLimits({ root })).toEqual({
      version: 1,
      cpuQuotaCores: 2,
      memoryLimitBytes: 1073741824,
      path: '/docker/abc',
    });
  });

  it('treats v1 quota -1 and the near-2^63 memory value as unlimited', () => {
    const root = fakeRoot({
      'proc/self/cgroup': '5:memory:/\n3:cpu:/\n',
      'sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1\n',
      'sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n',
      'sys/fs/cgroup/memory/memory.limit_in_bytes': '9223372036854771712\n',
    });
    expect(readCgroupLimits({ root })).toMatchObject({ version: 1, cpuQuotaCores: null, memoryLimitBytes: null });
  });

  it('says "unknown" without a cgroup file system', () => {
    const root = fakeRoot({});
    expect(readCgroupLimits({ root })).toEqual({
      version: null,
      cpuQuotaCores: null,
      memoryLimitBytes: null,
      path: null,
    });
  });

  it('reads this machine without throwing', () => {
    const limits = readCgroupLimits();
    expect([1, 2, null]).toContain(limits.version);
  });
});

describe('parseMembership', () => {
  it('drops named hierarchies without controllers and keeps the unified line', () => {
    const lines = parseMembership('1:name=systemd:/x\n0::/user.slice\ngarbage\n');
    expect(lines).toEqual([{ hierarchy: '0', controllers: [], path: '/user.slice' }]);
  });
});
