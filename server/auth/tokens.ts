/**
 * Bearer tokens. A token is `gb_` + 32 random bytes (base64url); the server
 * keeps only its SHA-256. A token's id is the first 16 hex digits of that
 * hash: the row is found by id, then the whole hash is compared in constant
 * time. Tokens are random enough that a fast hash is the right one (a slow
 * password hash protects guessable secrets, which these are not).
 *
 * @example
 * const token = generateToken();          // 'gb_3q2...'
 * const { id, digest } = hashToken(token); // store id + digest, never the token
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Shortest token accepted from outside (GILBENCH_ADMIN_TOKEN); generated ones are 46 characters. */
export const MIN_TOKEN_LENGTH = 24;
const MAX_TOKEN_LENGTH = 512;

/**
 * A new random token.
 * @example generateToken().startsWith('gb_') // true
 */
export function generateToken(): string {
  return `gb_${randomBytes(32).toString('base64url')}`;
}

/**
 * The stored form of a token: its id and its SHA-256.
 * @example hashToken('gb_x...').id.length // 16
 */
export function hashToken(token: string): { id: string; digest: Buffer } {
  const digest = createHash('sha256').update(token, 'utf8').digest();
  return { id: digest.subarray(0, 8).toString('hex'), digest };
}

/**
 * Whether `presented` hashes to `stored`, in time that does not depend on where they differ.
 * @example digestMatches(hashToken(t).digest, hashToken(t).digest) // true
 */
export function digestMatches(stored: Buffer, presented: Buffer): boolean {
  return stored.length === presented.length && timingSafeEqual(stored, presented);
}

/**
 * Whether a string could be a token at all (checked before any lookup).
 * @example plausibleToken('gb_abc') // false: too short
 */
export function plausibleToken(token: string): boolean {
  return token.length >= MIN_TOKEN_LENGTH && token.length <= MAX_TOKEN_LENGTH && /^[\x21-\x7e]+$/.test(token);
}
