import { describe, expect, it } from 'vitest';
import { basicMachine } from '../harness/machine.ts';
import { Machine } from '../harness/schema.ts';
import { WorkerProcess } from '../harness/worker/client.ts';
import { collectMachine, countCpuList, usableCores } from './machine.ts';

describe('collectMachine', () => {
  it('describes this machine in the schema, with the labels given', async () => {
    const machine = await collectMachine({ labels: ['nightly', 'x86', 'nightly'] });
    expect(() => Machine.parse(machine)).not.toThrow();
    expect(machine.labels).toEqual(['nightly', 'x86']);
    expect(machine.cpu.cores).toBeGreaterThanOrEqual(machine.cpu.usableCores);
    expect(machine.memoryBytes).toBeGreaterThan(0);
    expect(machine.details).toHaveProperty('cgroup');
    expect(machine.details).toHaveProperty('caches');
    expect(machine.details).toHaveProperty('virtualization');
  });

  it('has the fingerprint of a laptop run on the same machine, so both form one series', async () => {
    // The runner's basicMachine takes the usable cores from a real runtime worker.
    const { worker, hello } = await WorkerProcess.start({ python: 'python3', env: {} });
    await worker.close();
    const machine = await collectMachine();
    expect(machine.cpu.usableCores).toBe(hello.usable_cores);
    expect(machine.fingerprint).toBe(basicMachine(hello.usable_cores).fingerprint);
  });

  it('keeps the fingerprint when only the labels differ', async () => {
    const [a, b] = await Promise.all([collectMachine({ labels: ['a'] }), collectMachine({ labels: ['b'] })]);
    expect(a.fingerprint).toBe(b.fingerprint);
  });
});

describe('countCpuList', () => {
  it('counts ranges and single CPUs', () => {
    expect(countCpuList('0-3,8,10-11')).toBe(7);
    expect(countCpuList('5')).toBe(1);
  });

  it('refuses what is not a CPU list', () => {
    expect(countCpuList('3-1')).toBe(0);
    expect(countCpuList('a,b')).toBe(0);
  });
});

describe('usableCores', () => {
  it('is at least one', () => {
    expect(usableCores()).toBeGreaterThanOrEqual(1);
  });
});
