/**
 * Kept answers in SQLite (see core/answers.ts): one write transaction per put,
 * so the answer and its links to runs are stored together or not at all.
 * @example await store.answers.put(key, [runId], { text, etag }, Date.now());
 */
import type { AnswerStore, StoredAnswer } from '../core/answers.ts';
import type { SqliteDb } from './db.ts';

export class SqliteAnswers implements AnswerStore {
  constructor(readonly db: SqliteDb) {}

  async get(key: string): Promise<StoredAnswer | null> {
    const row = this.db.sql('SELECT text, etag FROM answers WHERE key = ?').get(key) as StoredAnswer | undefined;
    return row ?? null;
  }

  async put(key: string, runIds: readonly string[], answer: StoredAnswer, now: number): Promise<boolean> {
    return this.db.write(() => {
      const pks: number[] = [];
      for (const id of new Set(runIds)) {
        const run = this.db.sql('SELECT pk FROM runs WHERE id = ?').get(id) as { pk: number } | undefined;
        if (!run) return false;
        pks.push(run.pk);
      }
      const made = this.db
        .sql(
          'INSERT INTO answers (key, text, etag, bytes, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING',
        )
        .run(key, answer.text, answer.etag, Buffer.byteLength(answer.text), now);
      if (made.changes === 0) return true;
      const link = this.db.sql('INSERT INTO answer_runs (answer_key, run_pk) VALUES (?, ?)');
      for (const pk of pks) link.run(key, pk);
      return true;
    });
  }

  async trim(maxBytes: number): Promise<number> {
    // Deleting an answer deletes its links (ON DELETE CASCADE).
    return this.db.write(
      () =>
        this.db
          .sql(`DELETE FROM answers WHERE key IN (
         SELECT key FROM (
           SELECT key, sum(bytes) OVER (ORDER BY created_at DESC, key DESC ROWS UNBOUNDED PRECEDING) AS upto FROM answers
         ) newest WHERE upto > ?)`)
          .run(maxBytes).changes,
    );
  }
}
