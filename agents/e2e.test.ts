/**
 * The agent against a real `gilbench server` process: real agent processes,
 * real interpreters (gil, nogil, ft-gil), the quick profile, temporary SQLite
 * files (PostgreSQL databases in e2e.postgres.test.ts), 127.0.0.1 only. A second machine is the same host with fewer usable
 * cores (`taskset -c 0`), which changes the machine fingerprint.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverRuntimes } from '../harness/runtimes/discover.ts';
import {
  alive,
  type CliProcess,
  descendants,
  sampleRun,
  startCli,
  tempDir,
  waitFor,
} from '../harness/test-support/index.ts';
import { api, type ServerProcess, startGilbench } from '../server/test-support/index.ts';
import { serverDatabase } from './e2e-backend.ts';
import { collectMachine } from './machine.ts';
import { startRecordingProxy } from './test-support.ts';

const FIXTURES = path.join(import.meta.dirname, 'fixtures');
const OTHER_MACHINE = ['taskset', '-c', '0'];

/**
 * CPython versions in gilbench's cache with both fast builds, oldest first. `npm test` builds one pair
 * (3.13.5); a job that picks between two releases needs a second (`gilbench runtimes install cpython@3.13.15`).
 */
const PAIRED_VERSIONS = await (async () => {
  const cached = (await discoverRuntimes({ origins: ['cache'] })).filter(
    (r) => r.origin === 'cache' && (r.buildKind ?? 'fast') === 'fast',
  );
  const versions = [...new Set(cached.map((r) => r.version))].filter(
    (v) =>
      cached.some((r) => r.version === v && r.freeThreaded) && cached.some((r) => r.version === v && !r.freeThreaded),
  );
  return versions.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
})();

let dir: string;
let removeDir: () => void;
let server: ServerProcess;
/** The server's `--db`: a file in `dir`, or a PostgreSQL database. */
let db: string;
let enrollToken: string;
const processes: CliProcess[] = [];
const cleanups: Array<() => Promise<void> | void> = [];

beforeEach(async () => {
  ({ dir, remove: removeDir } = tempDir('gilbench-e2e-'));
  db = await serverDatabase(dir);
  server = await startGilbench(db);
  processes.push(server.cli);
  enrollToken = (await api(server.url, 'POST', '/tokens', { role: 'enroll', name: 'e2e', uses: null, labels: ['e2e'] }))
    .token;
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  for (const p of processes.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await p.exited;
  }
  removeDir();
});

/** Starts `gilbench agent` with its own spool; `extra` adds flags. */
function agent(name: string, url: string, extra: string[] = [], prefix: string[] = []): CliProcess {
  const spool = path.join(dir, name);
  const cli = startCli(['agent', '--server', url, '--token', enrollToken, '--spool', spool, ...extra], {}, prefix);
  processes.push(cli);
  return cli;
}

const spooledRuns = (name: string) => {
  try {
    return readdirSync(path.join(dir, name)).filter((f) => f.endsWith('.json') && !f.startsWith('.'));
  } catch {
    return [];
  }
};

async function job(body: Record<string, unknown>): Promise<number> {
  return (await api(server.url, 'POST', '/jobs', { profile: 'quick', ...body })).job.id;
}

const getJob = async (id: number) => (await api(server.url, 'GET', `/jobs/${id}`)).job;
const runs = async () =>
  (await api(server.url, 'GET', '/runs')).runs as Array<{ id: string; jobId: string | null; machineId: number }>;

/** The (case-start, case-done) times an agent logged, from its ISO-stamped lines. */
function caseWindows(stderr: string): Array<{ start: number; end: number }> {
  const windows: Array<{ start: number; end: number }> = [];
  let start: number | null = null;
  for (const line of stderr.split('\n')) {
    const match = /^(\S+) gilbench agent: case-(start|done) /.exec(line);
    if (!match) continue;
    const at = Date.parse(match[1]!);
    // A case starts in all its modes together: the window opens at the first start.
    if (match[2] === 'start') start ??= at;
    else if (start !== null) {
      windows.push({ start, end: at });
      start = null;
    }
  }
  return windows;
}

describe('gilbench agent with gilbench server', () => {
  it('enrolls, claims the job a schedule made, runs gil, nogil and ft-gil, uploads with the machine metadata; no request while a case is measured', async () => {
    const proxy = await startRecordingProxy(() => server.port);
    cleanups.push(proxy.close);
    // A schedule through the API whose one slot today is two seconds away.
    const slot = new Date(Math.ceil((Date.now() + 2500) / 1000) * 1000);
    const cron = `${slot.getUTCSeconds()} ${slot.getUTCMinutes()} ${slot.getUTCHours()} ${slot.getUTCDate()} ${slot.getUTCMonth() + 1} *`;
    const { schedule } = await api(server.url, 'POST', '/schedules', {
      name: 'nightly',
      cron,
      timezone: 'UTC',
      suites: ['selftest'],
      modes: ['gil', 'nogil', 'ft-gil'],
      labels: ['e2e'],
      profile: 'quick',
    });
    const scheduled = await waitFor(
      async () => (await api(server.url, 'GET', `/jobs?schedule=${schedule.id}`)).jobs[0],
      30_000,
      'the scheduled job',
    );

    const first = agent('a', proxy.url, ['--once', '--labels', 'e2e,x86']);
    expect(await first.exited, first.stderr()).toBe(0);

    const done = await getJob(scheduled.id);
    expect(done.status).toBe('completed');
    expect(done.attempts).toBe(1);
    expect(done.progress).toMatchObject({ done: 12, total: 12 });
    const { run } = await api(server.url, 'GET', `/runs/${done.runId}`);
    expect(run.jobId).toBe(String(scheduled.id));
    expect(run.modes.map((m: { mode: string }) => m.mode)).toEqual(['gil', 'nogil', 'ft-gil']);
    expect(run.results).toHaveLength(12);
    expect(run.results.every((r: { status: string }) => r.status === 'ok')).toBe(true);
    const local = await collectMachine();
    expect(run.machine).toMatchObject({
      fingerprint: local.fingerprint,
      hostname: local.hostname,
      labels: ['e2e', 'x86'],
      cpu: { cores: local.cpu.cores, usableCores: local.cpu.usableCores },
    });
    expect(Object.keys(run.machine.details)).toEqual(
      expect.arrayContaining(['cgroup', 'caches', 'frequency', 'virtualization']),
    );
    const machines = (await api(server.url, 'GET', '/machines')).machines;
    expect(machines).toHaveLength(1);
    expect(machines[0].details).toHaveProperty('cgroup');
    expect(spooledRuns('a')).toEqual([]);

    // Every request reached the proxy outside the cases' windows; progress did go out, between cases.
    // A case is measured in its three modes at once, so there is one window per case.
    const windows = caseWindows(first.stderr());
    expect(windows).toHaveLength(4);
    const during = proxy.requests.filter((r) => windows.some((w) => r.at > w.start && r.at < w.end));
    expect(during).toEqual([]);
    const progress = proxy.requests.filter((r) => r.url.endsWith('/progress'));
    expect(progress.length).toBeGreaterThanOrEqual(4);
    expect(proxy.requests.filter((r) => r.url === '/api/v1/agents/enroll')).toHaveLength(1);

    // A restart reuses the identity: no second enrollment, no second machine.
    const state = readFileSync(path.join(dir, 'a', '.agent-state.json'), 'utf8');
    const again = startCli(['agent', '--once', '--server', proxy.url, '--spool', path.join(dir, 'a')]);
    processes.push(again);
    expect(await again.exited, again.stderr()).toBe(0);
    expect(again.stderr()).toContain('no job waiting');
    expect(readFileSync(path.join(dir, 'a', '.agent-state.json'), 'utf8')).toBe(state);
    expect(proxy.requests.filter((r) => r.url === '/api/v1/agents/enroll')).toHaveLength(1);
    expect((await api(server.url, 'GET', '/machines')).machines).toHaveLength(1);
  });

  it.skipIf(PAIRED_VERSIONS.length < 2)(
    `runs each job on the release its runtime names, and the stored run says so (${PAIRED_VERSIONS.join(', ') || 'needs two cached releases'})`,
    async () => {
      const older = PAIRED_VERSIONS[0]!;
      const newer = PAIRED_VERSIONS.at(-1)!;
      const asked = [older, newer, older];
      const ids: number[] = [];
      for (const runtime of asked) ids.push(await job({ suites: ['selftest'], modes: ['gil', 'nogil'], runtime }));
      expect((await getJob(ids[0]!)).runtime).toBe(older);
      for (const _ of asked) {
        const a = agent('a', server.url, ['--once']);
        expect(await a.exited, a.stderr()).toBe(0);
      }
      for (const [i, id] of ids.entries()) {
        const done = await getJob(id);
        expect(done).toMatchObject({ status: 'completed', runtime: asked[i] });
        const { run } = await api(server.url, 'GET', `/runs/${done.runId}`);
        const modes = run.modes as Array<{ id: string; runtime: { version: string; freeThreaded: boolean } }>;
        expect(modes.map((m) => m.runtime.version)).toEqual([asked[i], asked[i]]);
        expect(modes.map((m) => m.id)).toEqual([`cpython-${asked[i]}/gil`, `cpython-${asked[i]}t/nogil`]);
      }
    },
  );

  it('a job naming a runtime this machine lacks fails at once with the reason, and the agent goes on', async () => {
    const missing = await job({ suites: ['selftest'], modes: ['gil', 'nogil'], runtime: '3.99.1' });
    const next = await job({ suites: ['selftest'], modes: ['gil'] });
    const a = agent('a', server.url, ['--poll', '1']);
    await a.waitForLine(new RegExp(`job ${missing} failed: .*3\\.99\\.1`));
    const done = await waitFor(
      async () => {
        const j = await getJob(next);
        return j.status === 'completed' ? j : undefined;
      },
      120_000,
      'the next job',
    );
    expect(done.status).toBe('completed');
    const failed = await getJob(missing);
    expect(failed).toMatchObject({ status: 'failed', runtime: '3.99.1', attempts: 1 });
    expect(failed.error).toMatch(/no default \(GIL\) CPython 3\.99\.1 found for mode 'gil'/);
    expect(failed.error).toContain('gilbench runtimes install cpython@3.99.1');
    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    expect((await runs()).map((r) => r.jobId)).toEqual([String(next)]);
  });

  it('the server killed while the agent uploads, then started again: the run arrives exactly once', async () => {
    const port = server.port;
    const proxy = await startRecordingProxy(() => port);
    cleanups.push(proxy.close);
    const id = await job({ suites: ['selftest'], modes: ['gil', 'nogil'] });
    let firstAnswer: number | null = null;
    proxy.dropAnswer = (request, status) => {
      if (firstAnswer !== null || request.method !== 'POST' || request.url !== '/api/v1/runs') return false;
      // The server stored the run and answered; it dies before the answer reaches the agent.
      firstAnswer = status;
      server.cli.child.kill('SIGKILL');
      return true;
    };
    const a = agent('a', proxy.url, ['--poll', '1', '--backoff', '1']);
    await waitFor(() => firstAnswer ?? undefined, 120_000, 'the first upload');
    expect(firstAnswer).toBe(201); // stored
    await server.stop();
    // The answer was lost, so the run is still in the spool, on disk.
    expect(spooledRuns('a')).toHaveLength(1);
    await a.waitForLine(/upload of run .* failed/);

    server = await startGilbench(db, { port });
    processes.push(server.cli);
    await a.waitForLine(/uploaded for job/);
    const all = await runs();
    expect(all).toHaveLength(1);
    expect(all[0]!.jobId).toBe(String(id));
    expect(await getJob(id)).toMatchObject({ status: 'completed', runId: all[0]!.id });
    expect(proxy.requests.filter((r) => r.method === 'POST' && r.url === '/api/v1/runs').length).toBeGreaterThanOrEqual(
      2,
    );
    expect(spooledRuns('a')).toEqual([]);
    a.child.kill('SIGTERM');
    expect(await a.exited, a.stderr()).toBe(0);
  });

  it('with the server stopped, a finished run waits in the spool and arrives once the server is back', async () => {
    const port = server.port;
    const id = await job({ suites: ['selftest'], modes: ['gil', 'nogil', 'ft-gil'] });
    const a = agent('a', server.url, ['--poll', '1', '--backoff', '1']);
    await a.waitForLine(/case-start 1\//);
    await server.stop();
    await a.waitForLine(/spooled in/);
    await a.waitForLine(/stay in the spool/);
    expect(spooledRuns('a')).toHaveLength(1);

    server = await startGilbench(db, { port });
    processes.push(server.cli);
    await a.waitForLine(/uploaded for job/);
    const all = await runs();
    expect(all).toHaveLength(1);
    expect(await getJob(id)).toMatchObject({ status: 'completed', runId: all[0]!.id });
    expect(spooledRuns('a')).toEqual([]);
    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
  });

  it('an agent killed mid-run: the lease expires and a second agent completes the job', async () => {
    const id = await job({ suites: ['selftest'], modes: ['gil', 'nogil', 'ft-gil'] });
    const a = agent('a', server.url, ['--poll', '1', '--lease', '10']);
    await a.waitForLine(/case-start 4\//); // the second case: one is done
    const workers = descendants(a.child.pid!);
    a.child.kill('SIGKILL');
    await a.exited;
    for (const pid of workers) if (alive(pid)) process.kill(pid, 'SIGKILL'); // orphans of the killed agent
    const held = await getJob(id);
    expect(held.status).toBe('running');

    const b = agent('b', server.url, ['--poll', '1'], OTHER_MACHINE);
    const completed = await waitFor(
      async () => {
        const j = await getJob(id);
        return j.status === 'completed' ? j : undefined;
      },
      120_000,
      'the job to complete',
    );
    expect(completed.attempts).toBe(2);
    expect(completed.claimedBy).not.toBe(held.claimedBy);
    const all = await runs();
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ id: completed.runId, machineId: completed.claimedBy });
    expect(b.stderr()).toContain(`job ${id}:`);
    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);
  });

  it('two agents never run the same job', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) ids.push(await job({ suites: ['selftest'], modes: ['gil'] }));
    const a = agent('a', server.url, ['--poll', '1']);
    const b = agent('b', server.url, ['--poll', '1'], OTHER_MACHINE);
    await waitFor(
      async () => {
        const jobs = await Promise.all(ids.map(getJob));
        return jobs.every((j) => j.status === 'completed') ? true : undefined;
      },
      180_000,
      'all jobs to complete',
    );
    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    expect(await b.exited).toBe(0);

    const claimed = (stderr: string) => [...stderr.matchAll(/gilbench agent: job (\d+): /g)].map((m) => Number(m[1]));
    const byA = claimed(a.stderr());
    const byB = claimed(b.stderr());
    expect(byA.filter((j) => byB.includes(j))).toEqual([]);
    expect([...byA, ...byB].sort((x, y) => x - y)).toEqual(ids);
    const all = await runs();
    expect(all).toHaveLength(ids.length);
    expect(all.map((r) => Number(r.jobId)).sort((x, y) => x - y)).toEqual(ids);
    for (const j of await Promise.all(ids.map(getJob))) expect(j.attempts).toBe(1);
  });

  it('a worker that crashes or hangs gives an errored result, and the job still completes', async () => {
    const id = await job({ suites: [path.join(FIXTURES, 'agent_faults.py')], modes: ['gil'] });
    // A job may name a suite file only for an agent that allows its folder.
    const a = agent('a', server.url, ['--once', '--allow-suite-dir', FIXTURES]);
    expect(await a.exited, a.stderr()).toBe(0);
    const done = await getJob(id);
    expect(done.status).toBe('completed');
    const { run } = await api(server.url, 'GET', `/runs/${done.runId}`);
    const status = Object.fromEntries(
      run.results.map((r: { benchmark: string; status: string }) => [r.benchmark, r.status]),
    );
    expect(status).toEqual({ crashes: 'error', fine: 'ok', hangs: 'error' });
    const hang = run.results.find((r: { benchmark: string }) => r.benchmark === 'hangs');
    expect(hang.error.message).toMatch(/did not answer/);
  }, 240_000);

  it('a corrupt spool file is set aside with a warning, and the other runs still upload', async () => {
    const spool = path.join(dir, 'a');
    const machine = await collectMachine();
    // Runs made earlier on this machine (e.g. while the server was away).
    const fine = [sampleRun({ machine }), sampleRun({ machine })];
    mkdirSync(spool, { recursive: true });
    for (const doc of fine) writeFileSync(path.join(spool, `${doc.id}.json`), JSON.stringify(doc));
    const corrupt = '11111111-2222-4333-8444-555555555555.json';
    writeFileSync(path.join(spool, corrupt), '{"schema": "gilbench.run/v1", "id": "11111111-22');

    const a = agent('a', server.url, ['--once']);
    expect(await a.exited, a.stderr()).toBe(0);
    expect(a.stderr()).toMatch(new RegExp(`warning: spool: set ${corrupt.replace(/\./g, '\\.')} aside`));
    expect(readdirSync(path.join(spool, 'corrupt')).some((f) => f.startsWith(corrupt))).toBe(true);
    const uploaded = (await runs()).map((r) => r.id).sort();
    expect(uploaded).toEqual(fine.map((d) => d.id).sort());
    expect(spooledRuns('a')).toEqual([]);
  });

  it('local runs wait in the spool until a server is given; --once --suite with a server uploads a run without a job', async () => {
    const spool = path.join(dir, 'a');
    const local = ['--once', '--suite', 'selftest', '--filter', 'empty', '--mode', 'gil', '--profile', 'quick'];
    const offline = startCli(['agent', ...local, '--spool', spool]);
    processes.push(offline);
    expect(await offline.exited, offline.stderr()).toBe(0);
    const [waiting] = spooledRuns('a');
    expect(waiting).toBeDefined();

    const online = agent('a', server.url, local);
    expect(await online.exited, online.stderr()).toBe(0);
    const all = await runs();
    expect(all.map((r) => `${r.id}.json`)).toContain(waiting);
    expect(all).toHaveLength(2);
    expect(all.every((r) => r.jobId === null)).toBe(true);
    expect(spooledRuns('a')).toEqual([]);
  });

  it('a job cancelled on the server stops after the case being measured, and nothing is uploaded', async () => {
    const id = await job({ suites: ['selftest'], modes: ['gil', 'nogil', 'ft-gil'] });
    const a = agent('a', server.url, ['--poll', '1']);
    await a.waitForLine(/case-start 2\//);
    await api(server.url, 'POST', `/jobs/${id}/cancel`);
    await a.waitForLine(new RegExp(`job ${id} stopped: .*cancelled`));
    expect(a.stderr()).not.toMatch(/case-start 12\//);
    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    expect(await runs()).toEqual([]);
    expect(spooledRuns('a')).toEqual([]);
    expect((await getJob(id)).status).toBe('cancelled');
  });

  it('SIGTERM during a job: the case stops, its workers are killed, the job goes back to the queue, the agent exits 0', async () => {
    const id = await job({ suites: [path.join(FIXTURES, 'agent_slow.py')], modes: ['gil'] });
    const a = agent('a', server.url, ['--poll', '1', '--allow-suite-dir', FIXTURES]);
    await a.waitForLine(/case-start 1\/1/);
    const workers = await waitFor(
      () => {
        const found = descendants(a.child.pid!);
        return found.length >= 2 ? found : undefined;
      },
      20_000,
      'the workers',
    );
    a.child.kill('SIGTERM');
    expect(await a.exited, a.stderr()).toBe(0);
    expect(workers.filter(alive)).toEqual([]);
    expect(a.stderr()).toContain(`job ${id} handed back to the queue`);
    expect(await getJob(id)).toMatchObject({ status: 'queued', attempts: 1, claimedBy: null });
    expect(await runs()).toEqual([]);
    expect(spooledRuns('a')).toEqual([]);
  });
});
