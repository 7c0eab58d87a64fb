/**
 * Databases for the server's tests: a seeded database with one of
 * everything, copies of it, and a snapshot of a database's contents (to show
 * a refused request changed nothing).
 *
 * @example
 * const seed = await seedDatabase(join(dir, 'seed.db'));
 * const app = await openApp({ db: copyDatabase(seed.file, dir) });
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Machine, RunDocument } from '../../harness/schema.ts';
import { fixtureHistory, fixtureMachine, fixtureRun } from '../../harness/test-support/index.ts';
import { createServices, type Services } from '../services/index.ts';
import type { Store } from '../store/core/store.ts';
import { openStore } from '../store/open.ts';
import { sqliteTables } from '../store/sqlite/testing.ts';
import { hashTables } from '../store/testing.ts';

let copies = 0;
/** A copy of a closed database file, for a test that may change it. */
export function copyDatabase(file: string, dir: string): string {
  const copy = join(dir, `copy-${process.pid}-${++copies}.db`);
  copyFileSync(file, copy);
  return copy;
}

/**
 * Every table's rows, hashed: equal snapshots mean equal contents. Token use
 * times are left out (a request with a good token may record its use), and so
 * are the answers the server keeps (`answers`, `answer_runs`): a cache of
 * what was computed about stored runs, which reads and the background warmer
 * fill at any moment.
 * Read from the database itself, beside the store (SQLite: its file).
 */
export function snapshot(store: Pick<Store, 'kind' | 'location'>): Record<string, string> {
  if (store.kind !== 'sqlite') throw new Error(`snapshot reads SQLite files; this store is ${store.kind}`);
  const { answers: _answers, answer_runs: _links, ...tables } = sqliteTables(store.location);
  return hashTables(tables);
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
  /** A pending request to enroll machine A's fingerprint again. */
  enrollmentRequestId: number;
}

/**
 * A database with one of everything the API deals with, closed, at `file`.
 * Times come from `now` (default 2025-06-02).
 */
export async function seedDatabase(file: string, now = Date.parse('2025-06-02T12:00:00Z')): Promise<Seed> {
  const repo = await openServices(file);
  try {
    const admin = await repo.createToken({ role: 'admin', name: 'seed admin' }, now);
    // No limit on uses: every caller of the matrix enrolls with it.
    const enroll = await repo.createToken({ role: 'enroll', name: 'seed enroll', uses: null }, now);
    const factsA = fixtureMachine(101, ['nightly']);
    const factsB = fixtureMachine(102, ['nightly']);
    const a = await repo.enrollMachine(factsA, now);
    const b = await repo.enrollMachine(factsB, now);
    // The job machine A holds; the last of its runs answers it.
    const held = await repo.createJob({ suites: ['calls'], modes: ['nogil'], labels: ['nightly'] }, now);
    const runsA = fixtureHistory({ machine: factsA, runs: 3, end: new Date(now - 86_400_000) });
    runsA[2] = { ...runsA[2]!, jobId: String(held.id) };
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
    // Declared labels grant nothing: an admin grants `nightly` to both machines.
    await repo.setMachineLabels(a.machine.id, { accept: ['nightly'] }, now);
    await repo.setMachineLabels(b.machine.id, { accept: ['nightly'] }, now);
    await repo.claimJob(a.machine.id, 3600, now);
    const queued = await repo.createJob({ suites: ['locks'], modes: ['gil'] }, now);
    // Someone with an enrollment token asked for machine A's identity: a request waiting for an admin.
    const asker = await repo.createToken({ role: 'enroll', name: 'seed asker' }, now);
    const asked = await repo.enrollMachine({ ...factsA, hostname: 'asker' }, now, {
      role: 'enroll',
      tokenId: asker.info.id,
    });
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
      enrollmentRequestId: asked.request!.id,
    };
  } finally {
    await repo.close();
  }
}
