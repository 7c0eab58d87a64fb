/**
 * Answers about runs, kept: a comparison's or a scaling answer's text, computed
 * once (server/cache/answers.ts decides what and when) and read back after a
 * restart or by another server process. An answer lives as long as every run
 * it is about: `runs.delete` deletes the answers about the run in its step.
 *
 * @example
 * await store.answers.put(`scaling|${id}`, [id], { text, etag }, Date.now());
 * await store.answers.trim(1 << 30); // the newest answers, 1 GiB at most
 * const kept = await store.answers.get(`scaling|${id}`); // { text, etag } or null
 */

/** An answer as kept: its text and its strong ETag. */
export interface StoredAnswer {
  text: string;
  etag: string;
}

export interface AnswerStore {
  /** The answer kept under `key`, or null. */
  get(key: string): Promise<StoredAnswer | null>;
  /**
   * One atomic step: keeps `answer` under `key`, about the runs `runIds`, unless an answer is
   * kept under `key` already (the first one stays; several processes putting one key at once
   * is not an error). False, and nothing kept, when a run in `runIds` is not stored (deleted
   * meanwhile, in this or another process): an answer never outlives a run it is about.
   */
  put(key: string, runIds: readonly string[], answer: StoredAnswer, now: number): Promise<boolean>;
  /**
   * One atomic step: deletes the answers kept longest (by when they were put, then key) until the
   * texts of those left total at most `maxBytes` (UTF-8); how many it deleted.
   */
  trim(maxBytes: number): Promise<number>;
}
