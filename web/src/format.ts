/**
 * Number formatting for the pages. Units are explicit: times are ns per
 * operation, comparisons are unitless ratios (other / base; > 1 = slower).
 *
 * @example formatNs(1234.5) === '1.23 µs'; formatRatio(1.234) === '×1.23'
 */

/** A time in ns per operation with a unit that keeps 3 significant digits. */
export function formatNs(ns: number | null | undefined): string {
  if (ns === null || ns === undefined || !Number.isFinite(ns)) return '–';
  const abs = Math.abs(ns);
  if (abs >= 1e9) return `${(ns / 1e9).toPrecision(3)} s`;
  if (abs >= 1e6) return `${(ns / 1e6).toPrecision(3)} ms`;
  if (abs >= 1e3) return `${(ns / 1e3).toPrecision(3)} µs`;
  if (abs >= 1) return `${ns.toPrecision(3)} ns`;
  return `${ns.toFixed(2)} ns`;
}

/** A ratio as `×1.23`. */
export function formatRatio(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '–';
  return `×${ratio.toFixed(ratio >= 10 ? 1 : 3)}`;
}

/**
 * A time ratio (other / base) in words: how many times slower or faster.
 * @example formatRatioReading(1.42) === '1.42x slower'; formatRatioReading(0.5) === '2.00x faster'
 */
export function formatRatioReading(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio) || ratio <= 0) return '–';
  if (Math.abs(ratio - 1) < 0.005) return 'about the same';
  return ratio > 1 ? `${ratio.toFixed(2)}x slower` : `${(1 / ratio).toFixed(2)}x faster`;
}

/**
 * A ratio's CI in words, when it settles the direction.
 * @example ratioVerdict(1.1, 1.3) === 'slower'; ratioVerdict(0.9, 1.1) === 'no clear change'
 */
export function ratioVerdict(low: number | null | undefined, high: number | null | undefined): string {
  if (low === null || low === undefined || high === null || high === undefined) return '';
  return low > 1 ? 'slower' : high < 1 ? 'faster' : 'no clear change';
}

/** A ratio with its CI as `×1.23 [1.20, 1.26]`. */
export function formatRatioCi(
  ratio: number | null | undefined,
  low: number | null | undefined,
  high: number | null | undefined,
): string {
  if (ratio === null || ratio === undefined) return '–';
  if (low === null || low === undefined || high === null || high === undefined) return formatRatio(ratio);
  return `${formatRatio(ratio)} [${low.toFixed(3)}, ${high.toFixed(3)}]`;
}

/** A fraction as a percentage: 0.123 → `12.3%`. */
export function formatPercent(fraction: number | null | undefined, digits = 1): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '–';
  return `${(fraction * 100).toFixed(digits)}%`;
}

/** A signed relative change: 0.05 → `+5.0%`. */
export function formatChange(change: number | null | undefined): string {
  if (change === null || change === undefined || !Number.isFinite(change)) return '–';
  return `${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)}%`;
}

/** Bytes in binary units. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** A timestamp (ms since the epoch or ISO text) as `2026-11-21 23:48 UTC`. */
export function formatTime(at: number | string | null | undefined): string {
  if (at === null || at === undefined) return '–';
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return '–';
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** How long ago, roughly: `5 min ago`, `3 h ago`, `2 days ago`. */
export function formatAgo(at: number | string | null | undefined, now = Date.now()): string {
  if (at === null || at === undefined) return 'never';
  const ms = now - new Date(at).getTime();
  if (!Number.isFinite(ms)) return '–';
  const min = Math.round(ms / 60_000);
  if (min < 1) return 'just now';
  if (min < 60) return `${min} min ago`;
  const hours = Math.round(min / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}

/** Case parameters as `threads=4, lock=rlock` (empty string for none). */
export function formatParams(params: Record<string, string | number | boolean> | null | undefined): string {
  if (!params) return '';
  return Object.keys(params)
    .sort()
    .map((k) => `${k}=${String(params[k])}`)
    .join(', ');
}
