/**
 * `gilbench server` as a real process on 127.0.0.1 with a temporary database
 * file: the "done when" path with a real `gilbench run --json` document,
 * concurrent start-ups and schedulers on one file, and the CLI's errors.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../harness/test-support/index.ts';
import { MIGRATIONS_DIR } from './store/sqlite/open.ts';
import { sqliteTables } from './store/sqlite/testing.ts';
import {
  ADMIN_TOKEN,
  fixtureMachine,
  fixtureRun,
  openServices,
  snapshot,
  startGilbench,
} from './test-support/index.ts';

const { dir, remove: cleanup } = tempDir('gilbench-server-cli-');
afterAll(cleanup);

const json = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });

describe('gilbench server', () => {
  it('starts on a new file; a CLI admin token ingests a real run once; a malformed upload changes nothing', async () => {
    const db = `${dir}/done-when.db`;
    expect(existsSync(db)).toBe(false);
    const runFile = `${dir}/real-run.json`;
    const run = await runCli(['run', '-s', 'selftest', '-m', 'gil', '-p', 'quick', '--json', runFile]);
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(runFile, 'utf8'));

    const server = await startGilbench(db, { adminToken: null });
    try {
      expect(existsSync(db)).toBe(true);
      const created = await runCli(['server', 'token', 'create', '--role', 'admin', '--db', db]);
      expect(created.code, created.stderr).toBe(0);
      const token = created.stdout.trim();
      expect(token).toMatch(/^gb_\S+$/);
      expect(created.stderr).toMatch(/shown only now/);

      const upload = () =>
        fetch(`${server.url}/api/v1/runs`, { method: 'POST', headers: json(token), body: JSON.stringify(doc) });
      const first = await upload();
      expect(first.status, await first.clone().text()).toBe(201);
      const second = await upload();
      expect(second.status).toBe(200);
      expect(((await second.json()) as { created: boolean }).created).toBe(false);
      const runs = (await (await fetch(`${server.url}/api/v1/runs`, { headers: json(token) })).json()) as {
        runs: Array<{ id: string; resultCount: number }>;
      };
      expect(runs.runs.map((r) => r.id)).toEqual([doc.id]);
      expect(runs.runs[0]!.resultCount).toBe(doc.results.length);

      const reader = await openServices(db);
      const before = snapshot(reader.store);
      const malformed = await fetch(`${server.url}/api/v1/runs`, {
        method: 'POST',
        headers: json(token),
        body: JSON.stringify({ ...doc, id: '0b7c5a52-8f1e-4d7e-9a51-1f6f6b0c2d33', results: [{ suite: 'selftest' }] }),
      });
      expect(malformed.status).toBe(400);
      expect(await malformed.json()).toEqual({ error: 'invalid', detail: expect.stringContaining('body.results[0]') });
      expect(snapshot(reader.store)).toEqual(before);
      await reader.close();
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('takes an admin token from GILBENCH_ADMIN_TOKEN and serves public reads with --public', async () => {
    const token = 'gb_fromtheenvironment_0123456789';
    const server = await startGilbench(`${dir}/env.db`, { args: ['--public'], adminToken: token });
    try {
      const doc = fixtureRun({ machine: fixtureMachine(3), seed: 3, startedAt: new Date('2025-06-01T00:00:00Z') });
      const up = await fetch(`${server.url}/api/v1/runs`, {
        method: 'POST',
        headers: json(token),
        body: JSON.stringify(doc),
      });
      expect(up.status).toBe(201);
      expect((await fetch(`${server.url}/api/v1/machines`)).status).toBe(200);
      expect((await fetch(`${server.url}/api/v1/tokens`)).status).toBe(401);
    } finally {
      await server.stop();
    }
  });

  it('lets two processes start on one new file at once (migrations run once)', async () => {
    const db = `${dir}/twice.db`;
    const [a, b] = await Promise.all([
      startGilbench(db, { adminToken: null }),
      startGilbench(db, { adminToken: null }),
    ]);
    try {
      for (const s of [a, b]) expect((await fetch(`${s.url}/api/v1/health`)).status).toBe(200);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    expect(sqliteTables(db).__drizzle_migrations).toHaveLength(
      readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).length,
    );
  });

  it('makes one job per cron slot: two servers at once on one file, then a restart', async () => {
    const db = `${dir}/cron.db`;
    const token = 'gb_crontest_token_0123456789ab';
    const a = await startGilbench(db, { adminToken: token });
    const made = await fetch(`${a.url}/api/v1/schedules`, {
      method: 'POST',
      headers: json(token),
      body: JSON.stringify({ name: 'every second', cron: '* * * * * *', suites: ['selftest'], modes: ['gil'] }),
    });
    expect(made.status).toBe(201);
    const b = await startGilbench(db, { adminToken: token });
    await new Promise((resolve) => setTimeout(resolve, 3500));
    await Promise.all([a.stop(), b.stop()]);
    // Restart at once: the new process's first tick falls in a slot the old ones may have served.
    const c = await startGilbench(db, { adminToken: token });
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await c.stop();

    const repo = await openServices(db);
    const slots = (await repo.listJobs({ limit: 1000 })).map((j) => j.slot!);
    await repo.close();
    expect(slots.length).toBeGreaterThanOrEqual(4);
    expect(new Set(slots).size).toBe(slots.length);
    for (const slot of slots) expect(slot % 1000).toBe(0);
  });
});

describe('gilbench server: user errors', () => {
  it('--ingest-concurrency and --ingest-queue: a bad value is one line, exit 2; with 1 and 0 a second upload at once gets 503', async () => {
    for (const [flag, value, min] of [
      ['--ingest-concurrency', '0', 1],
      ['--ingest-queue', '-1', 0],
      ['--ingest-queue', 'many', 0],
    ] as const) {
      const bad = await runCli(['server', '--db', `${dir}/ingest-flags.db`, '--no-web', flag, value]);
      expect(bad.code).toBe(2);
      expect(bad.stderr.trim()).toBe(`gilbench: ${flag} takes a whole number from ${min} to 10000, got '${value}'`);
    }
    expect(existsSync(`${dir}/ingest-flags.db`)).toBe(false);

    const server = await startGilbench(`${dir}/ingest-queue.db`, {
      args: ['--ingest-concurrency', '1', '--ingest-queue', '0'],
    });
    try {
      const headers = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
      const health = async () =>
        ((await (await fetch(`${server.url}/api/v1/health`)).json()) as { ingest: { active: number } }).ingest;
      // The first upload holds the one turn: its body arrives in two parts, the second only later.
      const body = Buffer.from(
        JSON.stringify(
          fixtureRun({ machine: fixtureMachine(5), seed: 5, startedAt: new Date('2025-06-01T00:00:00Z') }),
        ),
      );
      const held = request(`${server.url}/api/v1/runs`, {
        method: 'POST',
        headers: { ...headers, 'content-length': String(body.length) },
      });
      const firstStatus = new Promise<number>((resolve, reject) => {
        held.on('response', (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        held.on('error', reject);
      });
      held.write(body.subarray(0, 100));
      while ((await health()).active === 0) await new Promise((r) => setTimeout(r, 20));
      const second = await fetch(`${server.url}/api/v1/runs`, {
        method: 'POST',
        headers,
        body: JSON.stringify(
          fixtureRun({ machine: fixtureMachine(6), seed: 6, startedAt: new Date('2025-06-01T00:00:00Z') }),
        ),
      });
      expect(second.status).toBe(503);
      expect(second.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(((await second.json()) as { detail: string }).detail).toMatch(/busy with 1 uploads/);
      held.end(body.subarray(100));
      expect(await firstStatus).toBe(201);
      expect(await health()).toMatchObject({ active: 0, waiting: 0, refused: 1 });
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('says so in one line and exits 2 when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const result = await runCli(['server', '--db', `${dir}/port.db`, '--port', String(port), '--no-web']);
      expect(result.code).toBe(2);
      expect(result.stderr.trim()).toBe(`gilbench: port ${port} on 127.0.0.1 is in use; pick another with --port`);
    } finally {
      await blocker.close();
    }
  });

  // As tried: `--db postgres://…` once made a SQLite file in a folder named `postgres:` and served from it.
  it.each([
    ['server', ['server', '--port', '0', '--no-web']],
    ['server token list', ['server', 'token', 'list']],
  ])(
    'refuses a PostgreSQL URL it cannot serve in one line, exit 2, making no file: gilbench %s',
    async (_name, args) => {
      const cwd = `${dir}/cwd-${args.length}`;
      mkdirSync(cwd);
      const url = 'postgres://gilbench:secret@127.0.0.1:1/gilbench';
      const result = await runCli([...args, '--db', url], {}, { cwd, timeoutMs: 30_000 });
      expect(result.code, result.stdout + result.stderr).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/^gilbench: cannot open postgres:\/\/gilbench:\*\*\*@127\.0\.0\.1:1\/gilbench/);
      expect(result.stderr).not.toContain('secret');
      expect(readdirSync(cwd)).toEqual([]);
    },
  );

  it('refuses a database URL of no known kind, and takes GILBENCH_DATABASE_URL when --db is not given', async () => {
    const cwd = `${dir}/cwd-kinds`;
    mkdirSync(cwd);
    const mysql = await runCli(['server', 'token', 'list', '--db', 'mysql://root@127.0.0.1/gilbench'], {}, { cwd });
    expect(mysql.code).toBe(2);
    expect(mysql.stderr.trim()).toMatch(/^gilbench: unknown database kind 'mysql:'/);
    const fromEnv = await runCli(
      ['server', 'token', 'create', '--role', 'admin'],
      {
        GILBENCH_DATABASE_URL: `sqlite:${cwd}/from-env.db`,
      },
      { cwd },
    );
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
    expect(readdirSync(cwd)).toContain('from-env.db');
    expect(readdirSync(cwd)).not.toContain('gilbench.db');
  });

  it('refuses a file that is not a database in one line, exit 2', async () => {
    const file = `${dir}/not-a-database.db`;
    writeFileSync(file, 'this is text, not SQLite '.repeat(200));
    const result = await runCli(['server', 'token', 'list', '--db', file]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(
      /^gilbench: cannot open the database .*not-a-database\.db \(file is not a database\); check --db$/,
    );
  });

  it('refuses a role other than admin or enroll', async () => {
    const result = await runCli(['server', 'token', 'create', '--role', 'agent', '--db', `${dir}/roles.db`]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Allowed choices are admin, enroll/);
  });

  it('refuses a GILBENCH_ADMIN_TOKEN too short to be safe', async () => {
    const result = await runCli(['server', '--db', `${dir}/short.db`, '--port', '0', '--no-web'], {
      GILBENCH_ADMIN_TOKEN: 'secret',
    });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('gilbench: GILBENCH_ADMIN_TOKEN: a token must be 24 to 512 printable characters');
  });

  it('token create --expires/--uses/--labels, token list shows them, token revoke; bad values exit 2 changing nothing', async () => {
    const db = `${dir}/tokens.db`;
    const made = await runCli([
      'server',
      'token',
      'create',
      '--role',
      'enroll',
      '--expires',
      '30d',
      '--uses',
      '3',
      '--labels',
      'gpu,nightly',
      '--name',
      'lab',
      '--db',
      db,
    ]);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stderr).toMatch(/expires \d{4}-\d\d-\d\dT.*; 3 use\(s\); grants gpu,nightly/);
    const listed = await runCli(['server', 'token', 'list', '--db', db]);
    const row = listed.stdout.trim().split('\t');
    expect(row.slice(1, 3)).toEqual(['enroll', '-']);
    expect(row.slice(5)).toEqual(['uses left 3', 'gpu,nightly', 'lab']);
    const expires = Date.parse(row[4]!.replace('expires ', ''));
    expect(Math.abs(expires - (Date.now() + 30 * 86_400_000))).toBeLessThan(600_000);
    for (const bad of [
      ['--expires', '30 days'],
      ['--expires', '0d'],
      ['--uses', '0'],
      ['--uses', 'lots'],
    ]) {
      const refused = await runCli(['server', 'token', 'create', '--role', 'enroll', ...bad, '--db', db]);
      expect(refused.code, bad.join(' ')).toBe(2);
      expect(refused.stderr.trim().split('\n'), bad.join(' ')).toHaveLength(1);
    }
    const adminUses = await runCli(['server', 'token', 'create', '--role', 'admin', '--uses', '2', '--db', db]);
    expect(adminUses.code).toBe(2);
    expect(adminUses.stderr).toMatch(/for enrollment tokens/);
    expect((await runCli(['server', 'token', 'list', '--db', db])).stdout.trim().split('\n')).toHaveLength(1);
    expect((await runCli(['server', 'token', 'revoke', row[0]!, '--db', db])).code).toBe(0);
    expect((await runCli(['server', 'token', 'list', '--db', db])).stdout).toMatch(/\trevoked \d{4}-/);
  });

  it('enrollment list|approve|reject decide the requests an enrollment token leaves; a bad id exits 2', async () => {
    const db = `${dir}/enrollments.db`;
    const repo = await openServices(db);
    const machine = fixtureMachine(5);
    await repo.enrollMachine(machine, Date.now());
    const asks = await repo.createToken({ role: 'enroll', uses: 2 }, Date.now());
    const by = { role: 'enroll' as const, tokenId: asks.info.id };
    const first = await repo.enrollMachine({ ...machine, hostname: 'again' }, Date.now(), by);
    const second = await repo.enrollMachine(machine, Date.now(), by);
    await repo.close();
    const listed = await runCli(['server', 'enrollment', 'list', '--db', db]);
    expect(
      listed.stdout
        .trim()
        .split('\n')
        .map((l) => l.split('\t').slice(0, 2)),
    ).toEqual([
      [String(second.request!.id), 'pending'],
      [String(first.request!.id), 'pending'],
    ]);
    const approved = await runCli(['server', 'enrollment', 'approve', String(first.request!.id), '--db', db]);
    expect(approved.stderr).toMatch(/approved \(machine \d+\)/);
    const twice = await runCli(['server', 'enrollment', 'reject', String(first.request!.id), '--db', db]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/approved already/);
    expect((await runCli(['server', 'enrollment', 'reject', String(second.request!.id), '--db', db])).code).toBe(0);
    expect((await runCli(['server', 'enrollment', 'approve', 'x1', '--db', db])).code).toBe(2);
  });
});
