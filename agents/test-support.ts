/**
 * Helpers shared by the agent's tests: a small valid run document, and
 * temporary folders that clean up after themselves.
 *
 * @example const doc = sampleRun({ jobId: '3' });
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { basicMachine } from '../harness/machine.ts';
import { RUN_SCHEMA, type RunDocument } from '../harness/schema.ts';

/** A minimal run document that passes the schema: one mode, one result of three samples. */
export function sampleRun(overrides: Partial<RunDocument> = {}): RunDocument {
  const startedAt = new Date().toISOString();
  return {
    schema: RUN_SCHEMA,
    id: randomUUID(),
    startedAt,
    finishedAt: startedAt,
    profile: 'quick',
    gilbenchVersion: '0.1.0',
    machine: basicMachine(1),
    jobId: null,
    modes: [
      {
        id: 'cpython-3.13.5/gil',
        mode: 'gil',
        env: {},
        runtime: {
          id: 'cpython-3.13.5',
          implementation: 'cpython',
          version: '3.13.5',
          freeThreaded: false,
          gilEnabledByDefault: true,
          configureArgs: '',
          compiler: 'GCC',
          revision: null,
          executable: '/usr/bin/python3.13',
          sha256: 'a'.repeat(64),
        },
      },
    ],
    suites: [{ name: 'selftest', description: '', benchmarks: [] }],
    results: [
      {
        suite: 'selftest',
        benchmark: 'empty',
        params: {},
        mode: 'cpython-3.13.5/gil',
        status: 'ok',
        unit: 'ns',
        samples: [10, 11, 12],
        loopCostNs: 1,
        loops: 1000,
        opsPerLoop: 1,
        processes: 1,
        stats: { n: 3, mean: 10, median: 10, min: 9, max: 11, sd: 1, ciLow: 9, ciHigh: 11, margin: 0.1 },
        peakRssBytes: null,
        checksum: null,
        gil: { afterLoad: true, afterRun: true },
        load: { before: null, after: null },
        wallMs: 5,
        warnings: [],
        error: null,
      },
    ],
    warnings: [],
    ...overrides,
  };
}

/** A fresh temporary folder and a function that removes it. */
export function tempDir(prefix = 'gilbench-agent-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
