/**
 * Tokens: admin and enrollment tokens made by an admin, agent tokens made
 * by enrollment. Their secrets appear once, in the answer that makes them.
 *
 * @example
 * const { token } = TokenCreated.parse(await res.json());
 */
import { z } from 'zod';
import { Millis, RowId } from './common.ts';
import { TOKEN_ROLES } from './enums.ts';

export const TokenBody = z.object({
  role: z.enum(['admin', 'enroll']),
  name: z.string().max(200).optional(),
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
});
export type TokenInfo = z.infer<typeof TokenInfo>;

export const TokensResponse = z.object({ tokens: z.array(TokenInfo) });
/** The new token's secret (shown in this answer only) and its record. */
export const TokenCreated = z.object({ token: z.string().min(1), info: TokenInfo });
export const TokenResponse = z.object({ token: TokenInfo });
