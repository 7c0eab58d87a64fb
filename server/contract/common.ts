/**
 * Pieces every subject of the contract shares: whole numbers read from paths
 * and query strings, times, limits, flags, names, the `{error, detail}` body,
 * and the path parameters.
 *
 * @example
 * IdParam.parse({ id: '42' }); // { id: 42 }
 */
import { z } from 'zod';
import { CaseParams } from '../../harness/schema.ts';

/**
 * A whole number that may come as a JSON number (bodies) or as plain decimal
 * digits (paths and query strings). Coercion would also read `0x1`, `1e0`,
 * `1.0` or ` 1` as 1, so two spellings would name one row; only digits are read.
 */
export const wholeNumber = (schema: z.ZodNumber) =>
  z.preprocess((v) => (typeof v === 'string' && /^(0|[1-9][0-9]{0,15})$/.test(v) ? Number(v) : v), schema);
export const id = wholeNumber(z.number().int().positive().max(Number.MAX_SAFE_INTEGER));
export const time = wholeNumber(z.number().int().min(0).max(8.64e15)).describe('milliseconds since the epoch');
export const limit = (max: number, fallback: number) => wholeNumber(z.number().int().min(1).max(max)).default(fallback);
export const flag = z
  .enum(['0', '1', 'true', 'false'])
  .transform((v) => v === '1' || v === 'true')
  .optional();
export const name = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_.:@+\-/ =,[\]]+$/, 'use letters, digits and _.:@+-/ =,[] only');
export const label = z.string().min(1).max(100);
export const runId = z.string().uuid();

export const IdParam = z.object({ id });
export const RunIdParam = z.object({ id: runId });
export const TokenIdParam = z.object({ id: z.string().regex(/^[0-9a-f]{16}$/, 'a token id is 16 hex digits') });

// ------------------------------------------------------------ responses
/** Milliseconds since the epoch, as the server sends them. */
export const Millis = z.number().int();
/** A row's own id. */
export const RowId = z.number().int().positive();

/** A case's parameters, as stored (`{threads: 4, lock: 'rlock'}`). */
export const Params = CaseParams;
export type Params = z.infer<typeof Params>;

/** Every refused request: a short code and what is wrong. */
export const ErrorBody = z.object({ error: z.string(), detail: z.string() });
export type ErrorBody = z.infer<typeof ErrorBody>;

/** The answer of a DELETE that removed something. */
export const Deleted = z.object({ deleted: z.literal(true) });
export type Deleted = z.infer<typeof Deleted>;
