/**
 * Faults: the server SIGKILLed while it ingests, again and again, and
 * restarted on the same database file and port each time. Real
 * `gilbench agent` processes keep uploading what lands in their spools (runs
 * written there as the agent writes them: atomically, on disk), and a few
 * direct uploaders keep the server busy so each kill finds an upload in
 * flight. At the end the file must pass `PRAGMA integrity_check`, every run
 * must have all its results, and every run spooled or sent must be stored
 * exactly once with the spools empty.
 *
 * Full version only: an agent SIGKILLed mid-run; its job goes back to the
 * queue when the lease runs out and another agent completes it (the agents'
 * e2e test has the same scenario; here it runs again with the shortest lease).
 *
 * Short: 3 kills; full (GILBENCH_RELIABILITY=full): 20 kills. On SQLite here, on
 * PostgreSQL in faults.postgres.reliability.test.ts (the same test, a database of the
 * run's private cluster). It lives in cli/ because it drives both rooms, the
 * agent (its spool) and the server; the reliability suite's other tests are
 * the server's own, in server/reliability/.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { openSpool } from '../../agents/spool.ts';
import type { Machine } from '../../harness/schema.ts';
import { createRng } from '../../harness/stats/prng.ts';
import { alive, type CliProcess, startCli, tempDir } from '../../harness/test-support/index.ts';
import { inspectAny, reliabilityDatabase } from '../../server/reliability/backend.ts';
import {
  ADMIN_TOKEN,
  api,
  bearer,
  FULL,
  fixtureMachine,
  fixtureRun,
  killHard,
  killStarted,
  loopback,
  NoAnswer,
  partialRuns,
  type ServerProcess,
  send,
  shapeOf,
  size,
  startGilbench,
  tokensIn,
  track,
  type UploadedShape,
} from '../../server/test-support/index.ts';

const KILLS = size(3, 20);
const DIRECT_UPLOADERS = 4;
/** A second agent runs pinned to one core: a machine with another fingerprint. */
const SECOND_AGENT = availableParallelism() >= 2;
/** Time for everything waiting to arrive after the last restart (agents back off up to 1 s). */
const SETTLE_MS = 180_000;

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

/** Run files still waiting in a spool folder (not the agent's state file, not temporary files). */
function waiting(spool: string): string[] {
  return existsSync(spool) ? readdirSync(spool).filter((f) => f.endsWith('.json') && !f.startsWith('.')) : [];
}

describe('faults', () => {
  const { dir, remove: cleanup } = tempDir('gilbench-faults-');
  afterAll(async () => {
    await killStarted();
    cleanup();
  });

  it(`the server SIGKILLed ${KILLS} times during ingest: integrity ok, no partial run, every spooled run stored exactly once`, {
    timeout: size(180_000, 600_000),
  }, async () => {
    const random = createRng(20_251_122);
    const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
    const file = await reliabilityDatabase(dir, 'faults');
    let server: ServerProcess = await startGilbench(file);
    const port = server.port;
    const { token: enrollToken } = await api(server.url, 'POST', '/tokens', {
      role: 'enroll',
      name: 'faults',
      uses: null,
    });

    // Real agents, each with its spool on disk.
    const agents: Array<{ name: string; spool: string; cli: CliProcess; machine?: Machine }> = [];
    for (const [name, prefix] of [
      ['a', []] as const,
      ...(SECOND_AGENT ? [['b', ['taskset', '-c', '0']] as const] : []),
    ]) {
      const spool = join(dir, `spool-${name}`);
      const args = ['agent', '--server', server.url, '--token', enrollToken, '--spool', spool];
      const cli = startCli([...args, '--poll', '1', '--backoff', '1'], {}, [...prefix]);
      track(cli.child);
      agents.push({ name, spool, cli });
    }
    for (const agent of agents) {
      const stateFile = join(agent.spool, '.agent-state.json');
      for (let i = 0; !existsSync(stateFile); i++) {
        if (i > 1200 || agent.cli.child.exitCode !== null)
          throw new Error(`agent ${agent.name} did not enroll:\n${agent.cli.stderr()}`);
        await sleep(100);
      }
      const { machine } = await api(server.url, 'GET', `/machines/${readJson(stateFile).machineId}`);
      const { fingerprint, hostname, os, kernel, arch, cpu, memoryBytes, details, labels } = machine;
      agent.machine = { fingerprint, hostname, os, kernel, arch, cpu, memoryBytes, details, labels };
    }
    if (agents[1]) expect(agents[1].machine!.fingerprint).not.toBe(agents[0]!.machine!.fingerprint);

    /** Every run handed to an agent's spool or sent directly: id -> its results and modes. */
    const expected = new Map<string, UploadedShape>();
    let feeding = true;
    let spooled = 0;
    let direct = 0;
    let inflight = 0;
    const failures: string[] = [];
    const base = Date.parse('2025-03-01T00:00:00Z');

    // Runs land in the agents' spools as their measurements would finish: one every 150-400 ms.
    const feeder = (async () => {
      const spools = agents.map((a) => openSpool(a.spool));
      for (let n = 1; feeding && n <= 5000; n++) {
        const i = n % agents.length;
        // A fresh id: this host's fingerprint must not make an id another machine's run already has.
        const doc = {
          ...fixtureRun({ machine: agents[i]!.machine!, seed: n, startedAt: new Date(base + n * 60_000) }),
          id: randomUUID(),
        };
        expected.set(doc.id, shapeOf(doc));
        spools[i]!.put(doc);
        spooled++;
        await sleep(between(150, 400));
      }
    })();

    // Direct uploaders keep an ingest going most of the time; each run is sent until a 2xx says it is stored.
    // They enroll before the first kill.
    const directMachines = await Promise.all(
      Array.from({ length: DIRECT_UPLOADERS }, async (_, index) => {
        const localAddress = loopback(4, index);
        const machine = fixtureMachine(20_000 + index, ['faults']);
        const enrolled = await send(server.url, {
          method: 'POST',
          path: '/api/v1/agents/enroll',
          headers: bearer(enrollToken, true),
          body: JSON.stringify({ machine }),
          localAddress,
        });
        expect(enrolled.status).toBe(201);
        return { localAddress, machine, token: (enrolled.json() as { token: string }).token };
      }),
    );
    const uploaders = directMachines.map(async ({ localAddress, machine, token }) => {
      for (let seq = 1; feeding && seq <= 10_000; seq++) {
        const doc = fixtureRun({ machine, seed: seq, startedAt: new Date(base + seq * 60_000) });
        expected.set(doc.id, shapeOf(doc));
        const body = JSON.stringify(doc);
        const deadline = Date.now() + SETTLE_MS;
        for (;;) {
          inflight++;
          try {
            const answer = await send(server.url, {
              method: 'POST',
              path: '/api/v1/runs',
              headers: bearer(token, true),
              body,
              localAddress,
            });
            if (answer.status === 201 || answer.status === 200) break;
            failures.push(`direct upload ${doc.id}: ${answer.status} ${answer.body.toString().slice(0, 200)}`);
            return;
          } catch (err) {
            if (!(err instanceof NoAnswer) || Date.now() > deadline) {
              failures.push(`direct upload ${doc.id}: ${(err as Error).message}`);
              return;
            }
            await sleep(100); // the server is down: try again, like the agent's retry
          } finally {
            inflight--;
          }
        }
        direct++;
      }
    });

    // The kills: each waits until an upload is in flight, then SIGKILLs the server a few ms into it.
    let cutInFlight = 0;
    for (let kill = 1; kill <= KILLS; kill++) {
      await sleep(between(400, 1200));
      for (let i = 0; inflight === 0 && i < 600; i++) await sleep(5);
      await sleep(between(0, 10));
      if (inflight > 0) cutInFlight++;
      await killHard(server.child);
      await sleep(between(0, 300));
      server = await startGilbench(file, { port });
    }
    feeding = false;
    await feeder;
    await Promise.all(uploaders);

    // Everything spooled arrives once the server stays up.
    const settled = Date.now() + SETTLE_MS;
    while (agents.some((a) => waiting(a.spool).length > 0) && Date.now() < settled) await sleep(200);
    const left = agents.flatMap((a) => waiting(a.spool));
    for (const agent of agents) {
      agent.cli.child.kill('SIGTERM');
      expect(await agent.cli.exited, agent.cli.stderr()).toBe(0);
    }
    const logs = server.output();
    expect(await server.stop()).toBe(0);

    const report = await inspectAny(file);
    const uploadFailures = agents.reduce(
      (sum, a) => sum + (a.cli.stderr().match(/upload of run \S+ failed/g) ?? []).length,
      0,
    );
    expect(failures).toEqual([]);
    expect(left).toEqual([]);
    for (const agent of agents) {
      expect(existsSync(join(agent.spool, 'rejected')), agent.cli.stderr()).toBe(false);
      expect(existsSync(join(agent.spool, 'corrupt')), agent.cli.stderr()).toBe(false);
    }
    expect(report.integrity).toBe('ok');
    expect(report.foreignKeyProblems).toBe(0);
    expect(report.duplicates).toEqual([]);
    expect(partialRuns(report.runs, expected)).toEqual([]);
    expect(report.runs.map((r) => r.id).sort()).toEqual([...expected.keys()].sort());
    expect(tokensIn(logs, [ADMIN_TOKEN, enrollToken])).toEqual([]);

    console.log(
      `faults: server SIGKILLed ${KILLS} times during ingest (${cutInFlight} with an upload in flight; ` +
        `${uploadFailures} agent upload attempts failed and were retried), restarted on the same db each time: ` +
        `${expected.size} runs (${spooled} through ${agents.length} real agents' spools, ${direct} from ${DIRECT_UPLOADERS} direct uploaders) ` +
        `stored exactly once; integrity_check ok, no partial run, spools empty`,
    );
  });

  it.runIf(FULL && SECOND_AGENT)(
    'an agent SIGKILLed mid-run: its job goes back to the queue after the lease and another agent completes it',
    { timeout: 600_000 },
    async () => {
      const server = await startGilbench(await reliabilityDatabase(dir, 'lease'));
      const { token: enrollToken } = await api(server.url, 'POST', '/tokens', {
        role: 'enroll',
        name: 'lease',
        uses: null,
      });
      const { job } = await api(server.url, 'POST', '/jobs', {
        suites: ['selftest'],
        modes: ['gil', 'nogil', 'ft-gil'],
        profile: 'quick',
      });
      const agent = (name: string, extra: string[], prefix: string[] = []) => {
        const args = ['agent', '--server', server.url, '--token', enrollToken, '--spool', join(dir, `lease-${name}`)];
        const cli = startCli([...args, '--poll', '1', ...extra], {}, prefix);
        track(cli.child);
        return cli;
      };
      const getJob = async () => (await api(server.url, 'GET', `/jobs/${job.id}`)).job;

      const first = agent('a', ['--lease', '10']);
      const line = await first.waitForLine(/case-start 3\/\d+/, 300_000);
      const [, total] = /case-start 3\/(\d+)/.exec(line)!;
      const pid = first.child.pid!;
      await killHard(first.child); // the agent and its interpreters
      const held = await getJob();
      expect(held.status).toBe('running');
      const killedAt = Date.now();

      const second = agent('b', [], ['taskset', '-c', '0']);
      let completed = await getJob();
      while (completed.status !== 'completed' && Date.now() - killedAt < 300_000) {
        await sleep(500);
        completed = await getJob();
      }
      expect(alive(pid)).toBe(false);
      expect(completed.status).toBe('completed');
      expect(completed.attempts).toBe(2);
      expect(completed.claimedBy).not.toBe(held.claimedBy);
      const { runs } = await api(server.url, 'GET', '/runs');
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({ id: completed.runId, machineId: completed.claimedBy, jobId: String(job.id) });
      second.child.kill('SIGTERM');
      expect(await second.exited, second.stderr()).toBe(0);
      await server.stop();
      console.log(
        `faults: agent SIGKILLed mid-run (case 3 of ${total}): job ${job.id} back in the queue after its 10 s lease, ` +
          `completed by machine ${completed.claimedBy} on attempt ${completed.attempts} ` +
          `${Math.round(((completed.finishedAt ?? Date.now()) - killedAt) / 1000)} s after the kill; 1 run stored`,
      );
    },
  );
});
