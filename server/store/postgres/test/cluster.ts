/**
 * A private PostgreSQL cluster for tests and benches: `initdb` into a
 * temporary folder, `postgres` listening on 127.0.0.1 on a free port, stopped
 * and the folder removed by `stop()`. Never touches a system-wide cluster.
 *
 * PostgreSQL refuses to run as root, so as root the cluster is made and run
 * as the unprivileged `postgres` OS user (Debian's package creates it). A
 * detached watchdog stops the cluster and removes its folder when the process
 * that started it dies, even by SIGKILL, so a ctrl-C'd test run leaves
 * nothing behind.
 *
 * @example
 * const cluster = await startCluster();
 * const db = await createDatabase(cluster.url); // postgres://gilbench@127.0.0.1:PORT/gb_…
 * await cluster.stop();
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const INSTALLER = fileURLToPath(new URL('../install-postgresql.sh', import.meta.url));

/** The role tests connect as (a superuser of the private cluster, trusted on 127.0.0.1). */
export const CLUSTER_USER = 'gilbench';

export interface ClusterOptions {
  /**
   * Durable commits (fsync, full page writes). Off by default: tests want speed and the
   * cluster is thrown away; benches that report figures turn it on.
   */
  durable?: boolean;
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string | number>;
}

export interface Cluster {
  /** `postgres://gilbench@127.0.0.1:PORT/postgres`: the maintenance database. */
  url: string;
  port: number;
  /** The temporary folder holding the data directory and the log. */
  dir: string;
  /** Fast shutdown, then the folder is removed. Safe to call twice. */
  stop(): Promise<void>;
}

/** The folder with `initdb` and `postgres`: `pg_config --bindir`, else the newest /usr/lib/postgresql/N/bin. */
export function findBinaries(): string | null {
  try {
    const dir = execFileSync('pg_config', ['--bindir'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    if (existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'))) return dir;
  } catch {
    // no pg_config (Debian ships it in libpq-dev): look in the versioned folders
  }
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(root, versions[0] as string, 'bin') : null;
}

/** The binaries' folder, installing Debian's `postgresql` package first when they are missing. */
export function ensurePostgres(): string {
  const found = findBinaries();
  if (found) return found;
  execFileSync('sh', [INSTALLER], { stdio: 'inherit' });
  const installed = findBinaries();
  if (!installed) throw new Error('PostgreSQL binaries not found after install-postgresql.sh');
  return installed;
}

/** Who runs the cluster: ourselves, or the `postgres` user when we are root. */
function clusterOwner(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error(
      'running as root, and there is no `postgres` OS user to run PostgreSQL as (apt-get install postgresql creates it)',
    );
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function logTail(dir: string): string {
  try {
    return readFileSync(join(dir, 'postgres.log'), 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '';
  }
}

async function waitReady(url: string, child: ChildProcess, dir: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`postgres exited (${child.exitCode ?? child.signalCode}) while starting:\n${logTail(dir)}`);
    }
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (err) {
      if (Date.now() > deadline)
        throw new Error(`postgres did not accept connections in time: ${String(err)}\n${logTail(dir)}`);
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      await client.end().catch(() => {});
    }
  }
}

/**
 * A watchdog that outlives us: when our pid is gone it stops the cluster immediately and
 * removes the folder. Detached and unreferenced, so it never holds a test run open.
 */
function startWatchdog(pid: number, postmaster: number, dir: string): ChildProcess {
  const script = `while kill -0 ${pid} 2>/dev/null; do sleep 1; done; kill -QUIT ${postmaster} 2>/dev/null; i=0; while kill -0 ${postmaster} 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; rm -rf '${dir}'`;
  const watchdog = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  watchdog.unref();
  return watchdog;
}

/** Starts a new private cluster (`initdb` then `postgres`); about a second or two. */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const bin = ensurePostgres();
  const owner = clusterOwner();
  const dir = mkdtempSync(join(tmpdir(), 'gilbench-pg-'));
  const data = join(dir, 'data');
  const as = owner ? { uid: owner.uid, gid: owner.gid } : {};
  if (owner) chownSync(dir, owner.uid, owner.gid);
  chmodSync(dir, 0o700);
  let child: ChildProcess | null = null;
  let watchdog: ChildProcess | null = null;
  const cleanup = () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGQUIT');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    execFileSync(
      join(bin, 'initdb'),
      ['-D', data, '-U', CLUSTER_USER, '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'],
      { ...as, stdio: ['ignore', 'ignore', 'pipe'], cwd: dir },
    );
    const settings: Record<string, string | number> = {
      listen_addresses: '127.0.0.1',
      unix_socket_directories: dir,
      max_connections: 300,
      ...(options.durable ? {} : { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' }),
      ...options.settings,
    };
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const args = ['-D', data, '-p', String(port)];
      for (const [name, value] of Object.entries(settings)) args.push('-c', `${name}=${value}`);
      const log = join(dir, 'postgres.log');
      // The shell only redirects the log as the cluster's owner, then becomes postgres (exec).
      child = spawn('sh', ['-c', 'exec "$0" "$@" >>"$GILBENCH_PG_LOG" 2>&1', join(bin, 'postgres'), ...args], {
        ...as,
        cwd: dir,
        stdio: 'ignore',
        env: { ...process.env, GILBENCH_PG_LOG: log },
      });
      child.unref();
      const url = `postgres://${CLUSTER_USER}@127.0.0.1:${port}/postgres`;
      try {
        await waitReady(url, child, dir, 30_000);
      } catch (err) {
        // Someone took the port between our probe and postgres' bind: try another.
        if (attempt < 3 && /could not bind|Address already in use/i.test(String(err))) continue;
        throw err;
      }
      watchdog = startWatchdog(process.pid, child.pid as number, dir);
      const started = child;
      let stopped: Promise<void> | null = null;
      const stop = () => {
        stopped ??= (async () => {
          if (started.exitCode === null && started.signalCode === null) {
            const exited = new Promise<void>((r) => started.once('exit', () => r()));
            started.kill('SIGINT'); // fast shutdown: disconnects clients, no waiting for them
            const timer = setTimeout(() => started.kill('SIGQUIT'), 10_000);
            await exited;
            clearTimeout(timer);
          }
          watchdog?.kill('SIGKILL');
          rmSync(dir, { recursive: true, force: true });
        })();
        return stopped;
      };
      return { url, port, dir, stop };
    }
  } catch (err) {
    cleanup();
    watchdog?.kill('SIGKILL');
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw stderr ? new Error(`initdb failed: ${stderr}`) : err;
  }
}

/** `url` with another database name. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * A new empty database in the cluster at `url` (a random `gb_…` name), for one test file or
 * test; `drop()` removes it, disconnecting whoever is left.
 */
export async function createDatabase(
  url: string,
  prefix = 'gb',
): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE template0`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(url, name),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
