/**
 * Tokens over any store: making them (only the SHA-256 of the secret is
 * stored), checking one in constant time, importing one chosen outside, and
 * recording use at most once a minute (recording every use would make every
 * read a write). A token past its expiry, and an enrollment token with no use
 * left, is refused like a revoked one. Uses are recorded off the request
 * path: kept in memory and written in a batch every few seconds and on close,
 * best-effort (a read never waits for, or fails by, that write).
 *
 * @example
 * const tokens = createTokenService(store);
 * const { token } = await tokens.create({ role: 'admin', name: 'ci' }, Date.now());
 * (await tokens.verify(token, Date.now()))?.role // 'admin'
 */
import { digestMatches, generateToken, hashToken, plausibleToken } from '../auth/tokens.ts';
import type { Store } from '../store/core/store.ts';
import type { TokenInfo, TokenRole } from '../store/core/types.ts';
import { DomainError } from './errors.ts';

/** How long a recorded use stands before the next use is written again. */
export const TOKEN_USE_WRITE_INTERVAL_MS = 60_000;

/** How long a token's use waits in memory before the batch is written (default). */
export const TOKEN_USE_FLUSH_MS = 5_000;

const ZERO_DIGEST = Buffer.alloc(32);
const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** Enrollments an enrollment token allows when its maker says nothing. */
export const DEFAULT_ENROLL_USES = 1;

/** What a new token is: its role, and for an enrollment token its uses and the labels it grants. */
export interface TokenInput {
  role: TokenRole;
  name?: string;
  machineId?: number | null;
  /** Refused after this time (default: never). */
  expiresAt?: number | null;
  /** Enrollment tokens: how many machines it may enroll (default 1; null: no limit). */
  uses?: number | null;
  /** Enrollment tokens: labels granted to the machines it enrolls. */
  labels?: readonly string[];
}

export interface TokenService {
  create(input: TokenInput, now: number): Promise<{ token: string; info: TokenInfo }>;
  /** Stores a token chosen outside (e.g. GILBENCH_ADMIN_TOKEN); a no-op when it is stored already. */
  import(token: string, input: { role: TokenRole; name?: string }, now: number): Promise<TokenInfo>;
  /** The live token matching `token` (compared in constant time), or null. */
  verify(token: string, now: number): Promise<TokenInfo | null>;
  list(): Promise<TokenInfo[]>;
  revoke(id: string, now: number): Promise<TokenInfo>;
  /** A new agent token's secret and what to store of it (for enrollment). */
  newAgentToken(name: string): {
    token: string;
    stored: { id: string; secretHash: Uint8Array; role: 'agent'; name: string };
  };
  /** Writes the uses recorded so far (best-effort: a failed write is dropped, never thrown). */
  flush(): Promise<void>;
  /** Writes what is left and stops the timer (before the store closes). */
  close(): Promise<void>;
}

export function createTokenService(store: Store, opts: { flushMs?: number } = {}): TokenService {
  const flushMs = opts.flushMs ?? TOKEN_USE_FLUSH_MS;
  if (!(Number.isFinite(flushMs) && flushMs > 0)) throw new RangeError(`flushMs must be > 0, got ${flushMs}`);
  // Uses not yet written, and the last use written or queued per token (so the interval holds before a write lands).
  const unwritten = new Map<string, number>();
  const lastRecorded = new Map<string, number>();
  let timer: NodeJS.Timeout | null = null;
  let flushing: Promise<void> = Promise.resolve();
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    const batch = [...unwritten];
    unwritten.clear();
    flushing = flushing.then(async () => {
      for (const [id, at] of batch) await store.tokens.touch(id, at).catch(() => {});
    });
    return flushing;
  };
  const recordUse = (id: string, at: number) => {
    unwritten.set(id, at);
    lastRecorded.set(id, at);
    if (!timer) {
      timer = setTimeout(() => void flush(), flushMs);
      timer.unref(); // a use waiting to be written keeps no process alive; close() writes it
    }
  };
  const insert = (token: string, input: TokenInput, now: number) => {
    const { id, digest } = hashToken(token);
    const enroll = input.role === 'enroll';
    return store.tokens.insert(
      {
        id,
        secretHash: digest,
        role: input.role,
        machineId: input.machineId ?? null,
        name: input.name ?? '',
        expiresAt: input.expiresAt ?? null,
        usesLeft: enroll ? (input.uses === undefined ? DEFAULT_ENROLL_USES : input.uses) : null,
        labels: enroll ? [...new Set(input.labels ?? [])] : [],
      },
      now,
    );
  };
  return {
    async create(input, now) {
      if (input.role !== 'enroll' && (input.uses != null || (input.labels?.length ?? 0) > 0)) {
        throw new DomainError('invalid', 'only an enrollment token has uses and labels to grant');
      }
      if (input.expiresAt != null && input.expiresAt <= now) {
        throw new DomainError('invalid', 'the expiry must lie in the future');
      }
      const token = generateToken();
      return { token, info: await insert(token, input, now) };
    },

    async import(token, input, now) {
      if (!plausibleToken(token)) throw new DomainError('invalid', 'a token must be 24 to 512 printable characters');
      const { id, digest } = hashToken(token);
      const existing = await store.tokens.get(id);
      if (existing && digestMatches(asBuffer(existing.secretHash), digest)) {
        if (existing.role !== input.role)
          throw new DomainError('conflict', `that token is stored with role ${existing.role}`);
        if (existing.revokedAt !== null) throw new DomainError('conflict', 'that token was revoked');
        const { secretHash: _, ...info } = existing;
        return info;
      }
      return insert(token, input, now);
    },

    async verify(token, now) {
      if (!plausibleToken(token)) return null;
      const { id, digest } = hashToken(token);
      const row = await store.tokens.get(id);
      // Compare against something even when the id is unknown, so both paths cost the same.
      const matches = digestMatches(row ? asBuffer(row.secretHash) : ZERO_DIGEST, digest);
      if (!row || !matches || !live(row, now)) return null;
      const last = Math.max(
        row.lastUsedAt ?? Number.NEGATIVE_INFINITY,
        lastRecorded.get(id) ?? Number.NEGATIVE_INFINITY,
      );
      // Off the request path: a read must not wait for, or fail by, this write (a full disk, a lock held elsewhere).
      if (now - last > TOKEN_USE_WRITE_INTERVAL_MS) recordUse(id, now);
      const { secretHash: _, ...info } = row;
      return { ...info, lastUsedAt: now };
    },

    list: () => store.tokens.list(),

    async revoke(id, now) {
      return (await store.tokens.revoke(id, now)) ?? notFound(`no token ${id}`);
    },

    newAgentToken(name) {
      const token = generateToken();
      const { id, digest } = hashToken(token);
      return { token, stored: { id, secretHash: digest, role: 'agent', name } };
    },

    flush,
    close: flush,
  };
}

/** Not revoked, not expired, and (an enrollment token) with a use left. */
export function live(token: TokenInfo, now: number): boolean {
  if (token.revokedAt !== null) return false;
  if (token.expiresAt !== null && token.expiresAt <= now) return false;
  return !(token.role === 'enroll' && token.usesLeft !== null && token.usesLeft <= 0);
}

function notFound(message: string): never {
  throw new DomainError('not-found', message);
}
