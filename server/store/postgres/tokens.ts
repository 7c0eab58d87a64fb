/**
 * Tokens in PostgreSQL (see core/tokens.ts for the contract).
 * @example const store = new PgTokens(db); await store.touch(id, Date.now());
 */
import type { TokenStore } from '../core/tokens.ts';
import type { NewToken, TokenInfo, TokenRecord, TokenRole } from '../core/types.ts';
import type { Queryable, Row } from './db.ts';

const COLUMNS = 'id, role, machine_id, name, created_at, last_used_at, revoked_at, expires_at, uses_left, grant_labels';

function tokenInfo(r: Row): TokenInfo {
  return {
    id: r.id as string,
    role: r.role as TokenRole,
    machineId: r.machine_id as number | null,
    name: r.name as string,
    createdAt: r.created_at as number,
    lastUsedAt: r.last_used_at as number | null,
    revokedAt: r.revoked_at as number | null,
    expiresAt: r.expires_at as number | null,
    usesLeft: r.uses_left as number | null,
    labels: r.grant_labels as string[],
  };
}

/** Stores a token on `db` (a transaction's connection, when part of a bigger step). */
export async function insertToken(db: Queryable, token: NewToken, now: number): Promise<TokenInfo> {
  const row = await db.one(
    `INSERT INTO tokens (id, secret_hash, role, machine_id, name, created_at, expires_at, uses_left, grant_labels)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
    [
      token.id,
      Buffer.from(token.secretHash),
      token.role,
      token.machineId,
      token.name,
      now,
      token.expiresAt ?? null,
      token.usesLeft ?? null,
      JSON.stringify([...(token.labels ?? [])]),
    ],
  );
  return tokenInfo(row!);
}

export class PgTokens implements TokenStore {
  constructor(readonly db: Queryable) {}

  insert(token: NewToken, now: number): Promise<TokenInfo> {
    return insertToken(this.db, token, now);
  }

  async get(id: string): Promise<TokenRecord | null> {
    const row = await this.db.one(`SELECT ${COLUMNS}, secret_hash FROM tokens WHERE id = $1`, [id]);
    return row ? { ...tokenInfo(row), secretHash: new Uint8Array(row.secret_hash as Buffer) } : null;
  }

  async list(): Promise<TokenInfo[]> {
    return (await this.db.rows(`SELECT ${COLUMNS} FROM tokens ORDER BY created_at, id COLLATE "C"`)).map(tokenInfo);
  }

  async touch(id: string, at: number): Promise<boolean> {
    return (await this.db.run('UPDATE tokens SET last_used_at = $2 WHERE id = $1', [id, at])) > 0;
  }

  async revoke(id: string, now: number): Promise<TokenInfo | null> {
    const row = await this.db.one(
      `UPDATE tokens SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, now],
    );
    return row ? tokenInfo(row) : null;
  }
}
