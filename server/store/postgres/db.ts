/**
 * The connection pool and the two ways this backend talks to PostgreSQL:
 * `query` (one statement, any pooled connection) and `tx` (a transaction on
 * one connection, retried from the start when PostgreSQL aborts it for a
 * deadlock or a serialization failure: both are safe to retry because
 * nothing of an aborted transaction was stored).
 *
 * @example
 * const db = new Db(pool);
 * const id = await db.tx(async (t) => (await t.one('INSERT … RETURNING id', [x])).id);
 */
import pg from 'pg';

/**
 * Type parsers: `bigint` (epoch ms, counts) as a JS number, like the SQLite backend gives;
 * every value this server stores in one fits a double exactly.
 */
const builtin = pg.types.getTypeParser as (oid: number, format?: string) => (value: string) => unknown;
const parseInt8Array = builtin(1016, 'text') as (value: string) => Array<string | null>;
export const PG_TYPES = {
  getTypeParser(oid: number, format?: string) {
    if (oid === 20) return (v: string) => Number(v);
    if (oid === 1016) return (v: string) => parseInt8Array(v).map((x) => (x === null ? null : Number(x)));
    return builtin(oid, format ?? 'text');
  },
} as unknown as pg.CustomTypesConfig;

/** SQLSTATEs of a transaction PostgreSQL aborted to let another go on: retry it whole. */
const RETRYABLE = new Set(['40001', '40P01']);

export type Row = Record<string, unknown>;

/** What a statement runs on: the pool, or one transaction's connection. */
export interface Queryable {
  rows<T = Row>(text: string, values?: unknown[]): Promise<T[]>;
  /** The first row, or null. */
  one<T = Row>(text: string, values?: unknown[]): Promise<T | null>;
  /** Rows changed. */
  run(text: string, values?: unknown[]): Promise<number>;
}

function queryable(target: pg.Pool | pg.PoolClient): Queryable {
  return {
    async rows<T>(text: string, values?: unknown[]) {
      return (await target.query(text, values)).rows as T[];
    },
    async one<T>(text: string, values?: unknown[]) {
      return ((await target.query(text, values)).rows[0] as T | undefined) ?? null;
    },
    async run(text: string, values?: unknown[]) {
      return (await target.query(text, values)).rowCount ?? 0;
    },
  };
}

export interface Tx extends Queryable {
  /** Runs `fn` after the transaction commits (caches learn only what is stored). */
  afterCommit(fn: () => void): void;
}

export class Db implements Queryable {
  readonly #pool: pg.Pool;
  readonly #q: Queryable;
  constructor(pool: pg.Pool) {
    this.#pool = pool;
    this.#q = queryable(pool);
  }

  get pool(): pg.Pool {
    return this.#pool;
  }

  rows<T = Row>(text: string, values?: unknown[]): Promise<T[]> {
    return this.#q.rows<T>(text, values);
  }
  one<T = Row>(text: string, values?: unknown[]): Promise<T | null> {
    return this.#q.one<T>(text, values);
  }
  run(text: string, values?: unknown[]): Promise<number> {
    return this.#q.run(text, values);
  }

  /**
   * `fn` in one transaction (READ COMMITTED unless told). Thrown errors roll back; a
   * deadlock or serialization failure runs `fn` again from the start, up to 8 times.
   */
  async tx<T>(fn: (t: Tx) => Promise<T>, opts: { isolation?: 'repeatable read' | 'serializable' } = {}): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.#pool.connect();
      const hooks: Array<() => void> = [];
      let broken = false;
      try {
        await client.query(opts.isolation ? `BEGIN ISOLATION LEVEL ${opts.isolation.toUpperCase()}` : 'BEGIN');
        const result = await fn({ ...queryable(client), afterCommit: (h) => hooks.push(h) });
        await client.query('COMMIT');
        for (const h of hooks) h();
        return result;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true; // the connection is gone: do not hand it back to the pool
        }
        const code = (err as { code?: string }).code;
        if (code && RETRYABLE.has(code) && attempt < 8) {
          await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
          continue;
        }
        throw err;
      } finally {
        client.release(broken);
      }
    }
  }
}

/** An `IN (…)`-free list parameter: `= ANY($n::int[])` takes one array. */
export const ids = (values: readonly number[]): number[] => [...values];
