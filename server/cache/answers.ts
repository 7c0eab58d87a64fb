/**
 * Answers about runs, computed once: a run never changes after upload, so a
 * comparison of its modes (or of two runs) is the same text every time. Two
 * levels: memory, bounded by the texts' total size (least recently used go
 * first), in front of the store (`store.answers`), which keeps them across
 * restarts and for other server processes on the same database. A miss in
 * memory reads the store; a miss there computes, once however many requests
 * ask meanwhile, and writes the answer to the store off the request path and
 * best-effort: a failed write (a full disk) is logged once and the answer is
 * served all the same. Answers over `maxStoredBytes` stay in memory only, and
 * the store keeps at most `maxStoredTotalBytes` (the newest: any reader may ask
 * for any two runs compared, and each pair is an answer). A
 * deleted run's answers leave memory here (`forgetRun`) and the store with
 * the run (`runs.delete`). Each answer says where it came from (`source`),
 * which the routes send as `x-gilbench-answer`.
 *
 * @example
 * const answers = createAnswerCache({ maxBytes: 64 << 20, store: store.answers });
 * const { text, etag, source } = await answers.get(`compare|${id}|gil|nogil`, [id], () => pool.compare(a, b));
 */
import { createHash } from 'node:crypto';
import type { AnswerStore, StoredAnswer } from '../store/core/answers.ts';

export interface AnswerCacheOptions {
  /** Total size of the texts kept in memory, in bytes (default 64 MiB). */
  maxBytes?: number;
  /** Where answers are kept across restarts (the store's `answers`); none: memory only. */
  store?: AnswerStore;
  /** Largest answer written to the store, in bytes (default 8 MiB); a larger one is kept in memory only. */
  maxStoredBytes?: number;
  /** Total size of the answers the store keeps (default 1 GiB): past it, those kept longest go (`trim` after each write). */
  maxStoredTotalBytes?: number;
  /** Writes to the store in flight before the next answer is not written (default 8): a slow disk holds no more texts than that. */
  maxWrites?: number;
  /** Where a failed store read or write is said (once until one succeeds again). Default stderr. */
  log?: (line: string) => void;
  /** The clock (the store records when an answer was kept). */
  now?: () => number;
}

export const ANSWER_CACHE_DEFAULTS = {
  maxBytes: 64 * 1024 * 1024,
  maxStoredBytes: 8 * 1024 * 1024,
  maxStoredTotalBytes: 1024 * 1024 * 1024,
  maxWrites: 8,
} as const;

/** Where an answer came from: memory, the store, or computed for this request (or one it shared). */
export const ANSWER_SOURCES = ['memory', 'stored', 'computed'] as const;
export type AnswerSource = (typeof ANSWER_SOURCES)[number];

export interface CachedAnswer extends StoredAnswer {
  /** Strong ETag (quoted), from the text's SHA-256. */
  etag: string;
  source: AnswerSource;
}

export interface AnswerCache {
  /** The answer under `key`, computed by `compute` on a miss (once, however many ask meanwhile). `runs`: the runs it is about. */
  get(key: string, runs: readonly string[], compute: () => Promise<string>): Promise<CachedAnswer>;
  /** Drops every answer about run `id` from memory (the store drops them with the run). */
  forgetRun(id: string): void;
  /** Answers kept in memory and their total size. */
  size(): { entries: number; bytes: number };
  /** Resolves when the writes to the store in flight are done. */
  idle(): Promise<void>;
}

/**
 * A text's strong ETag: its SHA-256, base64url, 32 characters, quoted.
 * @example etagOf('{}') // '"RBNvo1WzZ4oRRq0W9-hknpT7T8If536D"'
 */
export function etagOf(text: string): string {
  return `"${createHash('sha256').update(text).digest('base64url').slice(0, 32)}"`;
}

/** Memory in front of the store (see the module comment); options are checked here. */
export function createAnswerCache(opts: AnswerCacheOptions = {}): AnswerCache {
  const maxBytes = opts.maxBytes ?? ANSWER_CACHE_DEFAULTS.maxBytes;
  const maxStoredBytes = opts.maxStoredBytes ?? ANSWER_CACHE_DEFAULTS.maxStoredBytes;
  const maxStoredTotalBytes = opts.maxStoredTotalBytes ?? ANSWER_CACHE_DEFAULTS.maxStoredTotalBytes;
  const maxWrites = opts.maxWrites ?? ANSWER_CACHE_DEFAULTS.maxWrites;
  for (const [name, value] of [
    ['maxBytes', maxBytes],
    ['maxStoredBytes', maxStoredBytes],
    ['maxStoredTotalBytes', maxStoredTotalBytes],
    ['maxWrites', maxWrites],
  ] as const) {
    if (!(Number.isInteger(value) && value > 0))
      throw new RangeError(`${name} must be a whole number > 0, got ${value}`);
  }
  const store = opts.store ?? null;
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const now = opts.now ?? Date.now;
  // Map order is use order: the first entry is the least recently used.
  const entries = new Map<string, StoredAnswer & { runs: readonly string[]; bytes: number }>();
  const pending = new Map<string, Promise<CachedAnswer>>();
  // Bumped per run on delete, so a computation that finishes after its run was deleted is not kept.
  const generation = new Map<string, number>();
  const writes = new Set<Promise<void>>();
  let bytes = 0;
  // Said once, until the store answers again: a full disk would otherwise log on every miss.
  let storeFailing = false;

  const storeFailed = (what: string, err: unknown) => {
    if (!storeFailing) log(`gilbench server: answers: ${what} failed (${(err as Error).message}); answering anyway`);
    storeFailing = true;
  };

  const drop = (key: string) => {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    bytes -= entry.bytes;
  };

  const remember = (key: string, runs: readonly string[], answer: StoredAnswer, size: number) => {
    if (size > maxBytes) return;
    entries.set(key, { text: answer.text, etag: answer.etag, runs, bytes: size });
    bytes += size;
    for (const oldest of entries.keys()) {
      if (bytes <= maxBytes) break;
      drop(oldest);
    }
  };

  const read = async (key: string): Promise<StoredAnswer | null> => {
    try {
      const kept = await store!.get(key);
      storeFailing = false;
      return kept;
    } catch (err) {
      storeFailed('reading a kept answer', err);
      return null;
    }
  };

  const write = (key: string, runs: readonly string[], answer: StoredAnswer) => {
    if (!store || writes.size >= maxWrites) return;
    const done: Promise<void> = (async () => {
      if (await store.put(key, runs, answer, now())) await store.trim(maxStoredTotalBytes);
    })().then(
      () => {
        storeFailing = false;
      },
      (err: unknown) => storeFailed('keeping an answer', err),
    );
    writes.add(done);
    void done.finally(() => writes.delete(done));
  };

  return {
    get(key, runs, compute) {
      const hit = entries.get(key);
      if (hit) {
        entries.delete(key);
        entries.set(key, hit);
        return Promise.resolve({ text: hit.text, etag: hit.etag, source: 'memory' });
      }
      const inFlight = pending.get(key);
      if (inFlight) return inFlight;
      const started = runs.map((id) => generation.get(id) ?? 0);
      const promise = (async (): Promise<CachedAnswer> => {
        try {
          // Without a store, compute starts at once (no await first), as callers may rely on.
          const kept = store ? await read(key) : null;
          let answer = kept;
          if (!answer) {
            const text = await compute();
            answer = { text, etag: etagOf(text) };
          }
          const stale = runs.some((id, i) => (generation.get(id) ?? 0) !== started[i]);
          const size = Buffer.byteLength(answer.text);
          if (!stale) {
            remember(key, runs, answer, size);
            if (!kept && size <= maxStoredBytes) write(key, runs, answer);
          }
          return { text: answer.text, etag: answer.etag, source: kept ? 'stored' : 'computed' };
        } finally {
          pending.delete(key);
        }
      })();
      pending.set(key, promise);
      return promise;
    },
    forgetRun(id) {
      generation.set(id, (generation.get(id) ?? 0) + 1);
      for (const [key, entry] of entries) if (entry.runs.includes(id)) drop(key);
    },
    size: () => ({ entries: entries.size, bytes }),
    async idle() {
      while (writes.size) await Promise.all([...writes]);
    },
  };
}
