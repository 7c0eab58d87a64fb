/**
 * A basic machine summary from Node's own `os` module, enough for a laptop
 * run. The agent replaces it with systeminformation's richer picture; both
 * hash the same comparable facts into the fingerprint.
 *
 * @example const machine = basicMachine(2); machine.fingerprint // '3f2a...'
 */
import { createHash } from 'node:crypto';
import { arch, cpus, hostname, release, totalmem, type } from 'node:os';
import { cleanName } from './names.ts';
import type { Machine } from './schema.ts';

/** The facts that make two results comparable; anything else may change freely. */
export function machineFingerprint(facts: {
  hostname: string;
  cpuBrand: string;
  cores: number;
  usableCores: number;
  memoryBytes: number;
  arch: string;
  os: string;
}): string {
  const memoryGiB = Math.round(facts.memoryBytes / 2 ** 30); // free memory must not split a series
  const key = [facts.hostname, facts.cpuBrand, facts.cores, facts.usableCores, memoryGiB, facts.arch, facts.os];
  return createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 32);
}

/** `usableCores` comes from the runtime worker (the affinity mask), not from os.cpus(). */
export function basicMachine(usableCores: number): Machine {
  const list = cpus();
  const facts = {
    hostname: cleanName(hostname()), // as the agent sends it (agents/machine.ts)
    cpuBrand: list[0]?.model.trim() ?? 'unknown',
    cores: Math.max(1, list.length),
    usableCores: Math.max(1, usableCores),
    memoryBytes: totalmem(),
    arch: arch(),
    os: type(),
  };
  return {
    fingerprint: machineFingerprint(facts),
    hostname: facts.hostname,
    os: facts.os,
    kernel: release(),
    arch: facts.arch,
    cpu: {
      brand: facts.cpuBrand,
      cores: facts.cores,
      physicalCores: null,
      usableCores: facts.usableCores,
      governor: null,
    },
    memoryBytes: facts.memoryBytes,
    details: {},
    labels: [],
  };
}
