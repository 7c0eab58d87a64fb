/**
 * Answers about runs, computed once: a run never changes after upload, so a
 * comparison of its modes (or of two runs) is the same text every time. This
 * keeps those texts in memory, bounded by their total size (least recently
 * used go first), with a strong ETag from the text's hash, and shares one
 * computation between requests that arrive while it runs. A deleted run's
 * answers are dropped (`forgetRun`).
 *
 * Follow-up: keep them in the store, so a restart does not compute them again.
 *
 * @example
 * const answers = createAnswerCache({ maxBytes: 64 << 20 });
 * const { text, etag } = await answers.get(`compare|${id}|gil|nogil`, [id], () => pool.compare(a, b));
 */
import { createHash } from 'node:crypto';

export interface AnswerCacheOptions {
  /** Total size of the texts kept, in bytes (default 64 MiB). */
  maxBytes?: number;
}

export const ANSWER_CACHE_DEFAULTS = { maxBytes: 64 * 1024 * 1024 } as const;

export interface CachedAnswer {
  text: string;
  /** Strong ETag (quoted), from the text's SHA-256. */
  etag: string;
}

export interface AnswerCache {
  /** The answer under `key`, computed by `compute` on a miss (once, however many ask meanwhile). `runs`: the runs it is about. */
  get(key: string, runs: readonly string[], compute: () => Promise<string>): Promise<CachedAnswer>;
  /** Drops every answer about run `id`. */
  forgetRun(id: string): void;
  /** Answers kept and their total size. */
  size(): { entries: number; bytes: number };
}

/** An in-memory, size-bounded cache of immutable answers (see the module comment). */
export function createAnswerCache(opts: AnswerCacheOptions = {}): AnswerCache {
  const maxBytes = opts.maxBytes ?? ANSWER_CACHE_DEFAULTS.maxBytes;
  if (!(Number.isInteger(maxBytes) && maxBytes > 0))
    throw new RangeError(`maxBytes must be a whole number > 0, got ${maxBytes}`);
  // Map order is use order: the first entry is the least recently used.
  const entries = new Map<string, CachedAnswer & { runs: readonly string[]; bytes: number }>();
  const pending = new Map<string, Promise<CachedAnswer>>();
  // Bumped per run on delete, so a computation that finishes after its run was deleted is not kept.
  const generation = new Map<string, number>();
  let bytes = 0;

  const drop = (key: string) => {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    bytes -= entry.bytes;
  };

  return {
    get(key, runs, compute) {
      const hit = entries.get(key);
      if (hit) {
        entries.delete(key);
        entries.set(key, hit);
        return Promise.resolve(hit);
      }
      const inFlight = pending.get(key);
      if (inFlight) return inFlight;
      const started = runs.map((id) => generation.get(id) ?? 0);
      const promise = (async () => {
        try {
          const text = await compute();
          const answer = { text, etag: `"${createHash('sha256').update(text).digest('base64url').slice(0, 32)}"` };
          const size = Buffer.byteLength(text);
          const stale = runs.some((id, i) => (generation.get(id) ?? 0) !== started[i]);
          if (!stale && size <= maxBytes) {
            entries.set(key, { ...answer, runs, bytes: size });
            bytes += size;
            for (const oldest of entries.keys()) {
              if (bytes <= maxBytes) break;
              drop(oldest);
            }
          }
          return answer;
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
  };
}
