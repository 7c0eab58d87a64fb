/**
 * Helpers for the server's tests: temporary database files, a seeded
 * database with one of everything, a snapshot of a database's contents (to
 * show a refused request changed nothing), and a real `gilbench server`
 * process on 127.0.0.1.
 *
 * @example
 * const seed = await seedDatabase(join(dir, 'seed.db'));
 * const app = await openApp({ db: copyDatabase(seed.file, dir) });
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Machine, RunDocument } from '../harness/schema.ts';
import { fixtureHistory, fixtureMachine, fixtureRun } from './fixtures.ts';
import { createServices, type Services } from './services/index.ts';
import type { Store } from './store/core/store.ts';
import { openStore } from './store/open.ts';
import { sqliteTables } from './store/sqlite/testing.ts';
import { hashTables } from './store/testing.ts';

export const BIN = fileURLToPath(new URL('../harness/cli/bin.mjs', import.meta.url));

/** A new temporary folder and a function that removes it. */
export function tempDir(prefix = 'gilbench-server-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

let copies = 0;
/** A copy of a closed database file, for a test that may change it. */
export function copyDatabase(file: string, dir: string): string {
  const copy = join(dir, `copy-${process.pid}-${++copies}.db`);
  copyFileSync(file, copy);
  return copy;
}

/**
 * Every table's rows, hashed: equal snapshots mean equal contents. Token use
 * times are left out (a request with a good token may record its use).
 * Read from the database itself, beside the store (SQLite: its file).
 */
export function snapshot(store: Pick<Store, 'kind' | 'location'>): Record<string, string> {
  if (store.kind !== 'sqlite') throw new Error(`snapshot reads SQLite files; this store is ${store.kind}`);
  return hashTables(sqliteTables(store.location));
}

/**
 * The services over the store `url` names (a file or a postgres:// URL), as the server would open it.
 * @example const services = await openServices(file); await services.close();
 */
export async function openServices(url: string): Promise<Services> {
  return createServices(await openStore(url));
}

export interface Seed {
  file: string;
  tokens: { admin: string; enroll: string; agentA: string; agentB: string };
  machineA: { id: number; facts: Machine };
  machineB: { id: number; facts: Machine };
  /** Runs of machine A, oldest first (stored). */
  runsA: RunDocument[];
  runB: RunDocument;
  /** A run of machine A not stored yet. */
  newRunA: RunDocument;
  /** Facts of a machine not enrolled yet. */
  newMachine: Machine;
  seriesId: number;
  regressionId: number;
  annotationId: number;
  scheduleId: number;
  /** Running, held by machine A. */
  heldJobId: number;
  /** Queued, for anyone with no labels. */
  queuedJobId: number;
  enrollTokenId: string;
}

/**
 * A database with one of everything the API deals with, closed, at `file`.
 * Times come from `now` (default 2025-06-02).
 */
export async function seedDatabase(file: string, now = Date.parse('2025-06-02T12:00:00Z')): Promise<Seed> {
  const repo = await openServices(file);
  try {
    const admin = await repo.createToken({ role: 'admin', name: 'seed admin' }, now);
    const enroll = await repo.createToken({ role: 'enroll', name: 'seed enroll' }, now);
    const factsA = fixtureMachine(101, ['nightly']);
    const factsB = fixtureMachine(102, ['nightly']);
    const a = await repo.enrollMachine(factsA, now);
    const b = await repo.enrollMachine(factsB, now);
    const runsA = fixtureHistory({ machine: factsA, runs: 3, end: new Date(now - 86_400_000) });
    for (const doc of runsA) await repo.ingestRun(doc, { uploadedBy: null, now });
    const runB = fixtureRun({ machine: factsB, seed: 7, startedAt: new Date(now - 3_600_000) });
    await repo.ingestRun(runB, { uploadedBy: null, now });
    const series = await repo.listSeries({ machine: a.machine.id, mode: 'nogil', limit: 1 });
    const window = await repo.detectionWindow(series[0]!.id, 80);
    const regression = await repo.recordChange(
      window,
      {
        index: 2,
        kind: 'regression',
        change: 0.08,
        ciLow: 0.05,
        ciHigh: 0.11,
        confidence: 0.9999,
        score: 6,
        before: 100,
        after: 108,
        noise: 0.01,
        beforeCount: 2,
        afterCount: 1,
      },
      { method: 'seed', detectedRunPk: window.runPks[2]!, now },
    );
    const annotation = await repo.createAnnotation({ text: 'kernel upgrade', runId: runsA[1]!.id }, now);
    const schedule = await repo.createSchedule(
      { name: 'nightly', cron: '0 3 * * *', timezone: 'UTC', suites: ['scaling'], modes: ['gil', 'nogil'] },
      now,
    );
    const held = await repo.createJob({ suites: ['calls'], modes: ['nogil'], labels: ['nightly'] }, now);
    await repo.claimJob(a.machine.id, ['nightly'], 3600, now);
    const queued = await repo.createJob({ suites: ['locks'], modes: ['gil'] }, now);
    return {
      file,
      tokens: { admin: admin.token, enroll: enroll.token, agentA: a.token, agentB: b.token },
      machineA: { id: a.machine.id, facts: factsA },
      machineB: { id: b.machine.id, facts: factsB },
      runsA,
      runB,
      newRunA: fixtureRun({ machine: factsA, seed: 99, startedAt: new Date(now - 600_000) }),
      newMachine: fixtureMachine(103, ['nightly']),
      seriesId: series[0]!.id,
      regressionId: regression!.id,
      annotationId: annotation.id,
      scheduleId: schedule.id,
      heldJobId: held.id,
      queuedJobId: queued.id,
      enrollTokenId: enroll.info.id,
    };
  } finally {
    await repo.close();
  }
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  /** SIGTERM, then wait for the exit; returns the exit code. */
  stop(): Promise<number | null>;
}

/**
 * `gilbench server --port 0 ...` on 127.0.0.1; resolves once it prints where
 * it listens. The dashboard is left out unless `web` is set (browser tests).
 */
export async function spawnServer(
  args: string[],
  env: Record<string, string> = {},
  opts: { web?: boolean } = {},
): Promise<ServerProcess> {
  const base = [BIN, 'server', '--host', '127.0.0.1', '--port', '0', ...(opts.web ? [] : ['--no-web'])];
  const child = spawn(process.execPath, [...base, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => {
    out += b.toString();
  });
  child.stderr!.on('data', (b: Buffer) => {
    out += b.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gilbench server did not start within 60 s:\n${out}`)), 60_000);
    const check = () => {
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`gilbench server exited with ${code}:\n${out}`));
    });
  });
  return {
    url,
    child,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/**
 * Runs `gilbench ...args` (in `cwd`; killed after `timeoutMs`, which answers code null);
 * resolves with its exit code and output.
 */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
  opts: { cwd?: string; timeoutMs?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: opts.cwd,
    });
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : null;
    child.once('exit', () => timer && clearTimeout(timer));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
