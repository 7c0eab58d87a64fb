/**
 * `gilbench agent` without a server: flag checks, local runs with --once and
 * --schedule, export, and SIGTERM in the middle of a case. Real processes,
 * real interpreters, the quick profile.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../harness/errors.ts';
import { RunDocument } from '../harness/schema.ts';
import { alive, descendants, startCli, tempDir } from '../harness/test-support/index.ts';
import { agentOptionsFromFlags, defaultSpoolDir, STATE_FILE_NAME } from './cli.ts';

const SLOW = path.join(import.meta.dirname, 'fixtures', 'agent_slow.py');
const signal = new AbortController().signal;
const base = { poll: '30', lease: '900', backoff: '300' };

let dir: string;
let remove: () => void;
beforeEach(() => {
  ({ dir, remove } = tempDir('gilbench-agent-cli-'));
});
afterEach(() => remove());

describe('agentOptionsFromFlags', () => {
  it('reads a server agent with labels and keeps the identity in the spool folder', () => {
    const opts = agentOptionsFromFlags(
      { ...base, server: 'http://127.0.0.1:1', token: 'gb_x', labels: ['a', 'b', 'a'], spool: dir },
      signal,
      {},
    );
    expect(opts).toMatchObject({ server: 'http://127.0.0.1:1', enrollToken: 'gb_x', labels: ['a', 'b'], local: null });
    expect(opts.stateFile).toBe(path.join(dir, STATE_FILE_NAME));
    expect(opts.leaseSeconds).toBe(900);
  });

  it('takes the enrollment token from GILBENCH_ENROLL_TOKEN', () => {
    const opts = agentOptionsFromFlags({ ...base, server: 'http://h:1' }, signal, { GILBENCH_ENROLL_TOKEN: 'gb_env' });
    expect(opts.enrollToken).toBe('gb_env');
  });

  it('takes the enrollment token from GILBENCH_TOKEN, or names the --token-file to read when enrolling', () => {
    expect(
      agentOptionsFromFlags({ ...base, server: 'http://h:1' }, signal, { GILBENCH_TOKEN: 'gb_env' }).enrollToken,
    ).toBe('gb_env');
    const fromFile = agentOptionsFromFlags({ ...base, server: 'http://h:1', tokenFile: 'enroll-token' }, signal, {
      GILBENCH_TOKEN: 'gb_env',
    });
    expect(fromFile.enrollToken).toBeNull();
    expect(fromFile.enrollTokenFile).toBe(path.resolve('enroll-token'));
  });

  it('takes --allow-suite-dir folders as real paths, and refuses one that does not exist', () => {
    const opts = agentOptionsFromFlags({ ...base, server: 'http://h:1', allowSuiteDir: [dir, dir] }, signal, {});
    expect(opts.allowSuiteDirs).toHaveLength(1);
    expect(() =>
      agentOptionsFromFlags({ ...base, server: 'http://h:1', allowSuiteDir: [path.join(dir, 'nope')] }, signal, {}),
    ).toThrow(/--allow-suite-dir .*no such folder/);
  });

  it('puts the spool under XDG_STATE_HOME by default', () => {
    expect(defaultSpoolDir({ XDG_STATE_HOME: '/s', HOME: '/h' })).toBe('/s/gilbench/spool');
    expect(defaultSpoolDir({ HOME: '/h' })).toBe('/h/.local/state/gilbench/spool');
  });

  it('builds a local run from --suite, --mode and --profile', () => {
    const opts = agentOptionsFromFlags(
      { ...base, once: true, suite: ['selftest'], mode: ['gil', 'nogil'], profile: 'quick', spool: dir },
      signal,
      {},
    );
    expect(opts.local).toEqual({ suites: ['selftest'], modes: ['gil', 'nogil'], profile: 'quick', filter: undefined });
  });

  it.each([
    [{}, /nothing to do/],
    [{ suite: ['selftest'] }, /add --once/],
    [{ once: true, mode: ['gil'] }, /--suite/],
    [{ once: true, suite: ['selftest'], mode: ['fast'] }, /unknown mode 'fast'/],
    [{ once: true, suite: ['selftest'], profile: 'slow' }, /unknown profile 'slow'/],
    [{ schedule: 'every night', suite: ['selftest'] }, /not a cron expression/],
    [{ once: true, suite: ['selftest'], token: 'gb_x' }, /--token needs --server/],
    [{ once: true, suite: ['selftest'], tokenFile: 'f' }, /--token-file needs --server/],
    [{ server: 'http://h:1', token: 'gb_x', tokenFile: 'f' }, /give the enrollment token once/],
    [{ server: 'http://h:1', poll: '0' }, /--poll takes/],
    [
      { server: 'http://h:1', labels: ['ok', 'gpu\u200b'] },
      /--labels: in the label shown as "gpu", U\+200B \(an invisible or bidi control character\) is not allowed/,
    ],
  ])('refuses %j', (flags, message) => {
    expect(() => agentOptionsFromFlags({ ...base, spool: dir, ...flags }, signal, {})).toThrow(UsageError);
    expect(() => agentOptionsFromFlags({ ...base, spool: dir, ...flags }, signal, {})).toThrow(message);
  });
});

describe('gilbench agent (local runs, real processes)', () => {
  it('exits 2 with one line when there is nothing to do', async () => {
    const agent = startCli(['agent', '--spool', dir]);
    expect(await agent.exited).toBe(2);
    expect(agent.stderr().trim().split('\n')).toHaveLength(1);
    expect(agent.stderr()).toMatch(/^gilbench: nothing to do; /);
  });

  it('--once --suite: measures, spools the run with the machine metadata, and exports it', async () => {
    const spool = path.join(dir, 'spool');
    const exported = path.join(dir, 'runs.json');
    const agent = startCli([
      'agent',
      '--once',
      '--suite',
      'selftest',
      '--filter',
      'call',
      '--mode',
      'gil,nogil',
      '--profile',
      'quick',
      '--labels',
      'ci',
      '--spool',
      spool,
      '--export',
      exported,
    ]);
    expect(await agent.exited, agent.stderr()).toBe(0);
    const files = readdirSync(spool).filter((name) => name.endsWith('.json'));
    expect(files).toHaveLength(1);
    const doc = RunDocument.parse(JSON.parse(readFileSync(path.join(spool, files[0]!), 'utf8')));
    expect(doc.modes.map((m) => m.mode)).toEqual(['gil', 'nogil']);
    expect(doc.results.every((r) => r.benchmark === 'call-4args')).toBe(true);
    expect(doc.machine.labels).toEqual(['ci']);
    expect(doc.machine.details).toHaveProperty('cgroup');
    expect(doc.results.every((r) => r.load.before !== null && r.load.after !== null)).toBe(true);
    const runs = JSON.parse(readFileSync(exported, 'utf8'));
    expect(runs.map((r: RunDocument) => r.id)).toEqual([doc.id]);
    expect(agent.stdout()).toContain('selftest/call-4args');
  });

  it('--schedule: runs at each slot, keeps the runs in the spool, and stops cleanly on SIGTERM', async () => {
    const spool = path.join(dir, 'spool');
    const agent = startCli([
      'agent',
      '--schedule',
      '*/2 * * * * *', // every other second (croner's optional seconds field)
      '--suite',
      'selftest',
      '--filter',
      'call',
      '--mode',
      'gil',
      '--profile',
      'quick',
      '--spool',
      spool,
      '--export',
      path.join(dir, 'runs.json'),
    ]);
    await agent.waitForLine(/spooled/);
    await agent.waitForLine(/next run at/);
    // Let a second slot come; then stop while it is running or waiting.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    agent.child.kill('SIGTERM');
    expect(await agent.exited, agent.stderr()).toBe(0);
    const runs = readdirSync(spool).filter((name) => name.endsWith('.json'));
    expect(runs.length).toBeGreaterThanOrEqual(1);
    const exported = JSON.parse(readFileSync(path.join(dir, 'runs.json'), 'utf8')) as RunDocument[];
    expect(exported.length).toBeGreaterThanOrEqual(1);
    expect(agent.stderr()).toMatch(/stopped/);
  });

  it('SIGTERM in the middle of a case kills the workers and exits cleanly without spooling half a run', async () => {
    const spool = path.join(dir, 'spool');
    const agent = startCli([
      'agent',
      '--once',
      '--suite',
      SLOW,
      '--filter',
      'slow',
      '--mode',
      'gil',
      '--profile',
      'quick',
      '--spool',
      spool,
    ]);
    await agent.waitForLine(/case-start 1\/1 agent_slow\/slow/, 30_000);
    // Both workers of the case are up once they have loaded; give them a moment.
    let workers: number[] = [];
    for (let i = 0; i < 50 && workers.length < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      workers = descendants(agent.child.pid!);
    }
    expect(workers.length).toBeGreaterThanOrEqual(1);
    agent.child.kill('SIGTERM');
    expect(await agent.exited, agent.stderr()).toBe(130);
    expect(workers.filter(alive)).toEqual([]);
    expect(agent.stderr()).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    expect(existsSync(spool) ? readdirSync(spool).filter((n) => n.endsWith('.json')) : []).toEqual([]);
  });

  it('--export alone writes what the spool holds and exits', async () => {
    const spool = path.join(dir, 'spool');
    const first = startCli([
      'agent',
      '--once',
      '--suite',
      'selftest',
      '--filter',
      'empty',
      '--mode',
      'gil',
      '--profile',
      'quick',
      '--spool',
      spool,
    ]);
    expect(await first.exited, first.stderr()).toBe(0);
    const exported = path.join(dir, 'out.json');
    const agent = startCli(['agent', '--spool', spool, '--export', exported]);
    expect(await agent.exited, agent.stderr()).toBe(0);
    const runs = JSON.parse(readFileSync(exported, 'utf8')) as RunDocument[];
    expect(runs).toHaveLength(1);
    expect(() => RunDocument.parse(runs[0])).not.toThrow();
  });
});
