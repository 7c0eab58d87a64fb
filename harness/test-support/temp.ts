/**
 * Temporary folders for tests.
 * @example const { dir, remove } = tempDir('gilbench-spool-'); afterEach(remove);
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A fresh temporary folder and a function that removes it (and everything in it). */
export function tempDir(prefix = 'gilbench-test-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
