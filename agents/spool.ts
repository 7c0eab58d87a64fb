/**
 * The spool: finished runs on disk, waiting for the server.
 *
 * Layout of the spool folder:
 *   <run id>.json      a run document, complete (written to a temporary file, then renamed)
 *   .tmp-*             a write in progress; left over only by a crash, deleted on open
 *   corrupt/           files that did not parse as a run document, set aside with a warning
 *   rejected/          runs the server refused for good (4xx), with the server's answer beside them
 *
 * A run leaves the spool only when the server has answered 2xx for it. Files
 * are named by run id, so spooling the same run again replaces it instead of
 * making a second copy, and the server's ingest is idempotent by that id.
 *
 * @example
 * const spool = openSpool('/var/lib/gilbench/spool', { onWarning: console.warn });
 * spool.put(doc);
 * for (const entry of spool.list()) await upload(entry.doc).then(() => spool.remove(entry.id));
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { syncDir, TEMP_PREFIX, writeFileAtomic } from '../harness/fs/atomic-write.ts';
import { RunDocument } from '../harness/schema.ts';

export interface SpoolEntry {
  id: string;
  file: string;
  doc: RunDocument;
}

export interface SpoolOptions {
  /** Told about every file set aside (corrupt or rejected); default: ignore. */
  onWarning?: (message: string) => void;
}

const RUN_FILE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.json$/i;

export class Spool {
  readonly dir: string;
  readonly #warn: (message: string) => void;

  constructor(dir: string, opts: SpoolOptions = {}) {
    this.dir = path.resolve(dir);
    this.#warn = opts.onWarning ?? (() => {});
  }

  /** Writes the run atomically; returns its file. Spooling a run id again replaces the earlier copy. */
  put(doc: RunDocument): string {
    const checked = RunDocument.parse(doc);
    const file = path.join(this.dir, `${checked.id}.json`);
    writeFileAtomic(file, `${JSON.stringify(checked)}\n`);
    return file;
  }

  /**
   * The runs waiting, oldest first. A file that is not a valid run document
   * is moved to `corrupt/` with a warning and the others are still returned.
   */
  list(): SpoolEntry[] {
    const entries: Array<SpoolEntry & { mtimeMs: number }> = [];
    for (const name of readdirSync(this.dir)) {
      if (name.startsWith(TEMP_PREFIX) || name.startsWith('.')) continue;
      const file = path.join(this.dir, name);
      let stat: ReturnType<typeof statSync>;
      try {
        stat = statSync(file);
      } catch {
        continue; // removed meanwhile
      }
      if (!stat.isFile()) continue;
      if (!RUN_FILE.test(name)) {
        this.#setAside(file, 'corrupt', `${name} is not named <run id>.json`);
        continue;
      }
      const doc = this.#read(file);
      if (!doc) continue;
      if (`${doc.id}.json`.toLowerCase() !== name.toLowerCase()) {
        this.#setAside(file, 'corrupt', `${name} holds run ${doc.id}, not the run its name says`);
        continue;
      }
      entries.push({ id: doc.id, file, doc, mtimeMs: stat.mtimeMs });
    }
    entries.sort((a, b) => a.doc.startedAt.localeCompare(b.doc.startedAt) || a.mtimeMs - b.mtimeMs);
    return entries.map(({ mtimeMs: _, ...entry }) => entry);
  }

  /** How many runs are waiting (without parsing them). */
  size(): number {
    return readdirSync(this.dir).filter((name) => RUN_FILE.test(name)).length;
  }

  /** Removes a run after the server stored it. */
  remove(id: string): void {
    rmSync(path.join(this.dir, `${id}.json`), { force: true });
    syncDir(this.dir);
  }

  /** Moves a run the server refused for good to `rejected/`, with the reason beside it. */
  reject(id: string, reason: string): void {
    const file = path.join(this.dir, `${id}.json`);
    const target = this.#setAside(file, 'rejected', reason);
    if (target) writeFileAtomic(`${target}.reason.txt`, `${reason}\n`);
  }

  #read(file: string): RunDocument | null {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      this.#warn(`spool: cannot read ${file}: ${(err as Error).message}`);
      return null;
    }
    try {
      return RunDocument.parse(JSON.parse(text));
    } catch (err) {
      const why = err instanceof SyntaxError ? `not JSON (${err.message})` : 'not a valid gilbench.run/v1 document';
      this.#setAside(file, 'corrupt', `${path.basename(file)} is ${why}`);
      return null;
    }
  }

  #setAside(file: string, folder: 'corrupt' | 'rejected', reason: string): string | null {
    const dir = path.join(this.dir, folder);
    mkdirSync(dir, { recursive: true });
    // A timestamp keeps an earlier file of the same name that was set aside.
    const target = path.join(dir, `${path.basename(file)}.${Date.now()}`);
    try {
      renameSync(file, target);
    } catch (err) {
      this.#warn(`spool: cannot move ${file} to ${folder}/: ${(err as Error).message}`);
      return null;
    }
    syncDir(this.dir);
    this.#warn(`spool: set ${path.basename(file)} aside in ${dir}: ${reason}`);
    return target;
  }
}

/** A temporary file older than this is a crash's leftover, not a write in progress. */
const STALE_TEMP_MS = 60_000;

/**
 * Opens (creating if needed) a spool folder and deletes temporary files a
 * crash left behind: their rename never happened, so they were never a run.
 * @example const spool = openSpool(dir);
 */
export function openSpool(dir: string, opts: SpoolOptions = {}): Spool {
  mkdirSync(dir, { recursive: true });
  const now = Date.now();
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(TEMP_PREFIX)) continue;
    const file = path.join(dir, name);
    try {
      if (now - statSync(file).mtimeMs > STALE_TEMP_MS) rmSync(file, { force: true });
    } catch {
      // gone already
    }
  }
  return new Spool(dir, opts);
}
