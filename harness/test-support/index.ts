/**
 * What every room's tests share: temporary folders, real `gilbench`
 * processes and the processes below them, and builders of results and run
 * documents (the run schema lives in harness). Tests only: production code
 * never imports this folder. `cpython.ts` (the cached interpreters for tests
 * that run real ones) is imported on its own, to keep this index light.
 *
 * @example
 * import { sampleRun, tempDir } from '../harness/test-support/index.ts';
 */

export {
  FIXTURE_CASES,
  type FixtureCase,
  type FixtureHistoryOptions,
  type FixtureRunOptions,
  fixtureHistory,
  fixtureMachine,
  fixtureRun,
  onRelease,
} from './history.ts';
export {
  alive,
  type CliProcess,
  descendants,
  GILBENCH_BIN,
  runCli,
  startCli,
  waitFor,
} from './processes.ts';
export {
  buildResult,
  FIXTURE_MODES,
  type FixtureResultSpec,
  fixtureMode,
  fixtureResult,
  fixtureRunDocument,
  lognormalSamples,
  sampleRun,
  sampleRunDocument,
  scaleResult,
} from './runs.ts';
export { tempDir } from './temp.ts';
