/**
 * Tokens in SQLite.
 * @example const record = await store.tokens.get(id);
 */
import { asc, eq, sql } from 'drizzle-orm';
import type { TokenStore } from '../core/tokens.ts';
import type { NewToken, TokenInfo, TokenRecord } from '../core/types.ts';
import type { SqliteDb } from './db.ts';
import { tokenInfo } from './rows.ts';
import { tokens } from './schema.ts';

export class SqliteTokens implements TokenStore {
  constructor(readonly db: SqliteDb) {}

  /** The insert itself, for steps that store a token inside their own transaction. */
  insertNow(token: NewToken, now: number): TokenInfo {
    const row = this.db.orm
      .insert(tokens)
      .values({
        id: token.id,
        secretHash: Buffer.from(token.secretHash),
        role: token.role,
        machineId: token.machineId,
        name: token.name,
        createdAt: now,
        expiresAt: token.expiresAt ?? null,
        usesLeft: token.usesLeft ?? null,
        grantLabels: [...(token.labels ?? [])],
      })
      .returning()
      .get();
    return tokenInfo(row);
  }

  async insert(token: NewToken, now: number): Promise<TokenInfo> {
    return this.insertNow(token, now);
  }

  async get(id: string): Promise<TokenRecord | null> {
    // Every request with a token reads this: a prepared statement, not the query builder.
    const row = this.db.sql('SELECT * FROM tokens WHERE id = ?').get(id) as
      | {
          id: string;
          secret_hash: Buffer;
          role: TokenRecord['role'];
          machine_id: number | null;
          name: string;
          created_at: number;
          last_used_at: number | null;
          revoked_at: number | null;
          expires_at: number | null;
          uses_left: number | null;
          grant_labels: string;
        }
      | undefined;
    if (!row) return null;
    return {
      id: row.id,
      secretHash: new Uint8Array(row.secret_hash),
      role: row.role,
      machineId: row.machine_id,
      name: row.name,
      createdAt: row.created_at,
      lastUsedAt: row.last_used_at,
      revokedAt: row.revoked_at,
      expiresAt: row.expires_at,
      usesLeft: row.uses_left,
      labels: JSON.parse(row.grant_labels) as string[],
    };
  }

  async list(): Promise<TokenInfo[]> {
    return this.db.orm.select().from(tokens).orderBy(asc(tokens.createdAt)).all().map(tokenInfo);
  }

  async touch(id: string, at: number): Promise<boolean> {
    return this.db.sql('UPDATE tokens SET last_used_at = ? WHERE id = ?').run(at, id).changes > 0;
  }

  async revoke(id: string, now: number): Promise<TokenInfo | null> {
    const row = this.db.orm
      .update(tokens)
      .set({ revokedAt: sql`coalesce(${tokens.revokedAt}, ${now})` })
      .where(eq(tokens.id, id))
      .returning()
      .get();
    return row ? tokenInfo(row) : null;
  }
}
