/**
 * Kept answers in PostgreSQL (see core/answers.ts). Several server processes
 * may compute one answer at once: the first insert keeps it and the others
 * do nothing (ON CONFLICT DO NOTHING waits for the first to commit or roll
 * back). A run deleted meanwhile makes the put keep nothing: its link finds
 * no run, or its foreign-key check waits for the delete's row lock and fails.
 * @example await new PgAnswers(db).put(key, [runId], { text, etag }, Date.now());
 */
import type { AnswerStore, StoredAnswer } from '../core/answers.ts';
import type { Db } from './db.ts';

/** A run the answer is about is not stored: nothing of the put is kept. */
class RunGone extends Error {}

/** PostgreSQL's foreign_key_violation. */
const FOREIGN_KEY_VIOLATION = '23503';

export class PgAnswers implements AnswerStore {
  constructor(readonly db: Db) {}

  async get(key: string): Promise<StoredAnswer | null> {
    return this.db.one<StoredAnswer>('SELECT text, etag FROM answers WHERE key = $1', [key]);
  }

  async put(key: string, runIds: readonly string[], answer: StoredAnswer, now: number): Promise<boolean> {
    const ids = [...new Set(runIds)];
    try {
      return await this.db.tx(async (t) => {
        const made = await t.one(
          `INSERT INTO answers (key, text, etag, bytes, created_at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (key) DO NOTHING RETURNING key`,
          [key, answer.text, answer.etag, Buffer.byteLength(answer.text), now],
        );
        if (!made) return true;
        const linked = await t.run(
          'INSERT INTO answer_runs (answer_key, run_pk) SELECT $1, pk FROM runs WHERE id = ANY($2::text[])',
          [key, ids],
        );
        if (linked !== ids.length) throw new RunGone();
        return true;
      });
    } catch (err) {
      if (err instanceof RunGone || (err as { code?: string }).code === FOREIGN_KEY_VIOLATION) return false;
      throw err;
    }
  }

  async trim(maxBytes: number): Promise<number> {
    // One statement; two processes trimming at once delete what each sees, and neither fails.
    return this.db.run(
      `DELETE FROM answers WHERE key IN (
         SELECT key FROM (
           SELECT key, sum(bytes) OVER (ORDER BY created_at DESC, key DESC ROWS UNBOUNDED PRECEDING) AS upto FROM answers
         ) newest WHERE upto > $1)`,
      [maxBytes],
    );
  }
}
