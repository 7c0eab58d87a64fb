/**
 * Atomic file writes: the content goes to a temporary file in the same
 * folder, is flushed to disk, and is renamed over the target, so a reader
 * (or a crash) sees the old file or the new one, never half of one.
 *
 * @example writeFileAtomic('/var/lib/gilbench/spool/abc.json', text);
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

/** Temporary files start with this; whoever lists the folder skips (and may delete) them. */
export const TEMP_PREFIX = '.tmp-';

export function writeFileAtomic(file: string, content: string, mode = 0o644): void {
  const dir = path.dirname(file);
  const temp = path.join(dir, `${TEMP_PREFIX}${path.basename(file)}.${process.pid}.${Date.now()}`);
  const fd = openSync(temp, 'wx', mode);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw err;
  }
  closeSync(fd);
  try {
    renameSync(temp, file);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
  syncDir(dir);
}

/** Makes a rename durable: the folder entry is flushed too (best effort where folders cannot be opened). */
export function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some platforms and file systems refuse fsync on a folder; the rename is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
