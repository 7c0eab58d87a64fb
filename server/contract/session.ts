/**
 * The server itself: liveness, the session of the presented token, and the
 * OpenAPI description.
 *
 * @example
 * const { role } = SessionResponse.parse(await (await fetch('/api/v1/session')).json());
 */
import { z } from 'zod';
import { RowId } from './common.ts';
import { TOKEN_ROLES } from './enums.ts';

export const HealthResponse = z.object({
  ok: z.literal(true),
  version: z.string(),
  database: z.string(),
  /**
   * Whether the server can store uploads: the free space where its database lives (null when
   * unknown), whether a write failed for want of it since the last one that succeeded, and
   * whether the database answered a trivial query within a second.
   */
  storage: z
    .object({
      freeBytes: z.number().nullable(),
      low: z.boolean(),
      writable: z.boolean(),
      reachable: z.boolean().optional(),
    })
    .optional(),
  /** New runs' answers being computed ahead of their first readers (waiting or running). */
  answers: z.object({ warming: z.number().int().nonnegative() }).optional(),
  /** The upload queue: uploads inside it, waiting for a turn, and refused with 503 since the start. */
  ingest: z
    .object({
      active: z.number().int().nonnegative(),
      waiting: z.number().int().nonnegative(),
      refused: z.number().int().nonnegative(),
    })
    .optional(),
});

export const SessionResponse = z.object({
  /** Whether reads work without a token (`gilbench server --public`). */
  public: z.boolean(),
  /** The role of the token in use, if any. */
  role: z.enum(TOKEN_ROLES).nullable(),
  /** An agent token's machine. */
  machineId: RowId.nullable(),
});
export type Session = z.infer<typeof SessionResponse>;

/** An OpenAPI 3.1 document (described by its own standard, not here). */
export const OpenApiResponse = z.looseObject({ openapi: z.string(), paths: z.record(z.string(), z.unknown()) });
export type OpenApiDocument = z.infer<typeof OpenApiResponse>;
