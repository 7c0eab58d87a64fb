/**
 * Moments as people read them (UTC, to the minute), and how long ago they were.
 * No node imports: the dashboard bundles this file.
 *
 * @example formatTime('2026-11-21T23:48:10Z') === '2026-11-21 23:48 UTC'
 */
import { MISSING } from './numbers.ts';

/** A timestamp (ms since the epoch or ISO text) as `2026-11-21 23:48 UTC`. */
export function formatTime(at: number | string | null | undefined): string {
  if (at === null || at === undefined) return MISSING;
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return MISSING;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * How long ago, roughly: `5 min ago`, `3 h ago`, `2 days ago`.
 * @example formatAgo(Date.now() - 3 * 3_600_000) === '3 h ago'
 */
export function formatAgo(at: number | string | null | undefined, now = Date.now()): string {
  if (at === null || at === undefined) return 'never';
  const ms = now - new Date(at).getTime();
  if (!Number.isFinite(ms)) return MISSING;
  const min = Math.round(ms / 60_000);
  if (min < 1) return 'just now';
  if (min < 60) return `${min} min ago`;
  const hours = Math.round(min / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}
