/**
 * Tokens as stored. The store never sees a secret: hashing, constant-time
 * comparison and how often a use is recorded are the token service's
 * (server/services/tokens.ts).
 *
 * @example
 * await store.tokens.insert({ id, secretHash, role: 'admin', machineId: null, name: 'ci' }, Date.now());
 * const record = await store.tokens.get(id);
 */
import type { NewToken, TokenInfo, TokenRecord } from './types.ts';

export interface TokenStore {
  /** Stores a new token. A token id that is stored already is an error (ids are random: a clash is a bug). */
  insert(token: NewToken, now: number): Promise<TokenInfo>;
  /** The token with this id, revoked or not, or null. */
  get(id: string): Promise<TokenRecord | null>;
  /** Every token, oldest first. */
  list(): Promise<TokenInfo[]>;
  /** Sets `lastUsedAt`; false when there is no such token. */
  touch(id: string, at: number): Promise<boolean>;
  /** Revokes the token (a revoked token keeps its first revocation time); null when there is no such token. */
  revoke(id: string, now: number): Promise<TokenInfo | null>;
}
