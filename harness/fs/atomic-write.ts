/**
 * Atomic, durable file writes: the content goes to a temporary file in the
 * same folder, is flushed to disk (fsync), is renamed over the target, and
 * the folder is flushed too. A reader, or a crash at any point, sees the old
 * file or the new one, never half of one, and a completed write survives a
 * power cut.
 *
 * @example
 * writeFileAtomic('/var/lib/gilbench/spool/abc.json', text);
 * writeFileAtomic(stateFile, text, 0o600);
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

/** Temporary files start with this; whoever lists the folder skips (and may delete) them. */
export const TEMP_PREFIX = '.tmp-';

/** Writes `content` to `file` atomically with the given permission bits (for a new file). */
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
