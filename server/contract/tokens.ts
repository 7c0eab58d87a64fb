/**
 * Tokens: admin and enrollment tokens made by an admin, agent tokens made
 * by enrollment. Their secrets appear once, in the answer that makes them.
 *
 * @example
 * const { token } = TokenCreated.parse(await res.json());
 */
import { z } from 'zod';
import { label, Millis, RowId, time } from './common.ts';
import { TOKEN_ROLES } from './enums.ts';

export const TokenBody = z.object({
  role: z.enum(['admin', 'enroll']),
  name: z.string().max(200).optional(),
  expiresAt: time.optional().describe('refused after this time (default: never)'),
  uses: z
    .number()
    .int()
    .min(1)
    .max(100_000)
    .nullable()
    .optional()
    .describe('enrollment tokens: machines it may enroll (default 1; null: no limit)'),
  labels: z.array(label).max(50).optional().describe('enrollment tokens: labels granted to the machines it enrolls'),
});

/** A token without its secret. */
export const TokenInfo = z.object({
  id: z.string(),
  role: z.enum(TOKEN_ROLES),
  machineId: RowId.nullable(),
  name: z.string(),
  createdAt: Millis,
  lastUsedAt: Millis.nullable(),
  revokedAt: Millis.nullable(),
  expiresAt: Millis.nullable(),
  /** Enrollments left (null: no limit, or not an enrollment token). */
  usesLeft: z.number().int().nullable(),
  /** Labels an enrollment token grants. */
  labels: z.array(z.string()),
});
export type TokenInfo = z.infer<typeof TokenInfo>;

export const TokensResponse = z.object({ tokens: z.array(TokenInfo) });
/** The new token's secret (shown in this answer only) and its record. */
export const TokenCreated = z.object({ token: z.string().min(1), info: TokenInfo });
export const TokenResponse = z.object({ token: TokenInfo });
