/**
 * Starts the server: the app on @hono/node-server, the scheduler, and the
 * admin token given from outside (GILBENCH_ADMIN_TOKEN), on a database file
 * migrated at start-up.
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
import { openSqliteRepository } from './repo/sqlite.ts';
import type { Repository } from './repo/types.ts';
import { createScheduler, type Scheduler } from './scheduler.ts';

export interface StartOptions extends Omit<AppOptions, 'repo' | 'db'> {
  /** Database file (default ./gilbench.db), or an open repository. */
  db?: string;
  repo?: Repository;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** An admin token to store (if new) before serving, e.g. from GILBENCH_ADMIN_TOKEN. */
  adminToken?: string;
  /** How often the scheduler looks for due slots and expired leases (default 1000 ms). */
  schedulerIntervalMs?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  app: GilbenchApp;
  repo: Repository;
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
  const repo = opts.repo ?? openSqliteRepository(opts.db ?? 'gilbench.db');
  const now = opts.now ? () => opts.now!().getTime() : Date.now;
  try {
    if (opts.adminToken)
      await repo.importToken(opts.adminToken, { role: 'admin', name: 'GILBENCH_ADMIN_TOKEN' }, now());
  } catch (err) {
    if (!opts.repo) repo.close();
    throw new UsageError(`GILBENCH_ADMIN_TOKEN: ${(err as Error).message}`);
  }
  const app = createApp({ ...opts, repo });
  const scheduler = createScheduler({ repo, now, intervalMs: opts.schedulerIntervalMs, log: opts.log });

  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port, hostname: host });
    s.once('listening', () => resolve(s));
    s.once('error', (err: NodeJS.ErrnoException) => {
      if (!opts.repo) repo.close();
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
        if (!opts.repo) repo.close();
      })();
      return closing;
    },
  };
}
