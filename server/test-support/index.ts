/**
 * The server's test support, one place: starting a real `gilbench server`
 * process (the one way every room's tests do it) and admin calls to it
 * (process.ts), seeded databases and snapshots (database.ts), and the reliability tests' HTTP client and
 * checks (reliability.ts). Tests only: production code never imports it.
 *
 * @example
 * import { api, startGilbench } from '../server/test-support/index.ts';
 * const server = await startGilbench(join(dir, 'db.sqlite'));
 */

// Realistic histories are run builders, so they live with the others in harness; here for the server's tests.
export {
  FIXTURE_CASES,
  FIXTURE_MODES,
  type FixtureCase,
  type FixtureHistoryOptions,
  type FixtureRunOptions,
  fixtureHistory,
  fixtureMachine,
  fixtureRun,
  onRelease,
} from '../../harness/test-support/index.ts';
export { type InProcessApp, inProcessApp } from './app.ts';
export { copyDatabase, openServices, type Seed, seedDatabase, snapshot } from './database.ts';
export {
  ADMIN_TOKEN,
  api,
  killHard,
  killStarted,
  type ServerProcess,
  type StartOptions,
  startGilbench,
  track,
} from './process.ts';
export * from './reliability.ts';
