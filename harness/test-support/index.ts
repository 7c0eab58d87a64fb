/**
 * What every room's tests share: temporary folders, real `gilbench`
 * processes and the processes below them, and builders of results and run
 * documents (the run schema lives in harness). Tests only: production code
 * never imports this folder.
 *
 * @example
 * import { sampleRun, tempDir } from '../harness/test-support/index.ts';
 */
export { tempDir } from './temp.ts';
