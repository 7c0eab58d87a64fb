/**
 * Vitest global setup: one private PostgreSQL cluster per test run (see cluster.ts), its URL
 * handed to the tests as `inject('pgUrl')`. Stopped and removed when the run ends; the
 * cluster's watchdog removes it if the run is killed instead.
 *
 * `GILBENCH_TEST_DATABASE_URL=postgres://…` uses that server instead of starting one (each
 * test file still makes and drops its own database in it).
 */
import type { TestProject } from 'vitest/node';
import { startCluster } from './cluster.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A PostgreSQL maintenance database URL whose role may create databases. */
    pgUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.GILBENCH_TEST_DATABASE_URL;
  if (external) {
    project.provide('pgUrl', external);
    return async () => {};
  }
  const cluster = await startCluster();
  project.provide('pgUrl', cluster.url);
  return () => cluster.stop();
}
