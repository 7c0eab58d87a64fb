/**
 * Starts the server: the app on @hono/node-server, the scheduler, and the
 * admin token given from outside (GILBENCH_ADMIN_TOKEN), on a store opened
 * (and migrated) at start-up: a SQLite file or a PostgreSQL URL.
 *
 * @example
 * const server = await startServer({ db: 'gilbench.db', port: 0 });
 * console.log(server.url); // http://127.0.0.1:40123
 * await server.close();
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { UsageError } from '../harness/errors.ts';
import { type AppOptions, createApp, type GilbenchApp } from './app.ts';
import { createScheduler, type Scheduler } from './scheduler.ts';
import { createServices, type Services } from './services/index.ts';
import { StoreOpenError } from './store/core/store.ts';
import { type OpenStoreOptions, openStore } from './store/open.ts';

export interface StartOptions extends Omit<AppOptions, 'repo' | 'db'> {
  /** The store: a file path or a postgres:// URL (default ./gilbench.db); or services over an open store. */
  db?: string;
  repo?: Services;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** An admin token to store (if new) before serving, e.g. from GILBENCH_ADMIN_TOKEN. */
  adminToken?: string;
  /** How often the scheduler looks for due slots and expired leases (default 1000 ms). */
  schedulerIntervalMs?: number;
  /** The longest lease a claim gets (seconds; default 4 h); for services opened here (not `repo`). */
  maxLeaseSeconds?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  app: GilbenchApp;
  repo: Services;
  scheduler: Scheduler;
  /** Stops taking requests, stops the scheduler, closes the database. */
  close(): Promise<void>;
}

/**
 * @example const { url, close } = await startServer({ db: '/tmp/x.db', port: 0, public: true });
 */
export async function startServer(opts: StartOptions = {}): Promise<RunningServer> {
  const port = opts.port ?? 8080;
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    throw new UsageError(`--port must be a whole number from 0 to 65535, got ${port}`);
  }
  const host = opts.host ?? '127.0.0.1';
  // The server's SQLite runs in a thread of its own: no lock held elsewhere can stall the loop.
  const repo =
    opts.repo ??
    createServices(await openOrExplain(opts.db ?? 'gilbench.db', { thread: true }), {
      maxLeaseSeconds: opts.maxLeaseSeconds,
    });
  const closeOwned = async () => {
    if (!opts.repo) await repo.close();
  };
  const now = opts.now ? () => opts.now!().getTime() : Date.now;
  try {
    if (opts.adminToken)
      await repo.importToken(opts.adminToken, { role: 'admin', name: 'GILBENCH_ADMIN_TOKEN' }, now());
  } catch (err) {
    await closeOwned();
    throw new UsageError(`GILBENCH_ADMIN_TOKEN: ${(err as Error).message}`);
  }
  const app = createApp({ ...opts, repo });
  const scheduler = createScheduler({ repo, now, intervalMs: opts.schedulerIntervalMs, log: opts.log });

  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port, hostname: host });
    s.once('listening', () => resolve(s));
    s.once('error', (err: NodeJS.ErrnoException) => {
      void closeOwned();
      reject(
        err.code === 'EADDRINUSE'
          ? new UsageError(`port ${port} on ${host} is in use; pick another with --port`)
          : err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND'
            ? new UsageError(`cannot listen on ${host}; give an address of this machine with --host`)
            : err,
      );
    });
  });
  scheduler.start();
  await scheduler.tick();
  const actual = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${shown}:${actual}`,
    port: actual,
    app,
    repo,
    scheduler,
    close() {
      closing ??= (async () => {
        scheduler.stop();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          // Idle keep-alive connections would hold close() open.
          (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
        });
        await app.alertsIdle();
        // Ends the compute pool and waits for answers being kept, while the store is still open.
        await app.close();
        await closeOwned();
      })();
      return closing;
    },
  };
}

/**
 * The store `db` names, or a UsageError (one line, exit 2) when it names none or cannot be opened.
 * @example const store = await openOrExplain('postgres://gilbench@127.0.0.1/gilbench');
 */
export async function openOrExplain(db: string, options: OpenStoreOptions = {}) {
  try {
    return await openStore(db, options);
  } catch (err) {
    if (err instanceof StoreOpenError) throw new UsageError(`${err.message}; check --db`);
    throw err;
  }
}
