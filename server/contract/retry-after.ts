/**
 * How a client reads the server's `Retry-After` (a busy ingest queue or
 * compute pool answers 503 with it, a rate limit 429): seconds, or an HTTP
 * date. Plain code without zod, so the dashboard can bundle it.
 *
 * @example retryAfterMs('2', Date.now()) // 2000
 */

/** A `Retry-After` value as ms from `now`, or null when absent or unreadable. */
export function retryAfterMs(value: string | null, now: number): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
