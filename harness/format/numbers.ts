/**
 * Numbers as people read them, one spelling for the CLI, the reports and the
 * dashboard. Times are ns per operation; ratios are unitless (other / base,
 * above 1 = slower). No node imports: the dashboard bundles this file.
 *
 * The spelling, and why:
 * - `µs`, not `us`: the SI symbol (U+00B5), which every terminal and browser
 *   shows today; `us` reads as a word.
 * - `1.42×`: a ratio is "1.42 times", so the number comes first and the sign is
 *   the multiplication sign, not the letter x; columns of ratios line up on
 *   their digits.
 * - 3 significant digits for times and ratios: a CI is rarely tighter than
 *   ±0.5%, so a fourth digit would be noise.
 * - `–` (en dash) for a value that is missing or not finite.
 *
 * @example formatNs(4563) === '4.56 µs'; formatRatio(1.4234) === '1.42×'
 */

/** What a missing or non-finite value prints as. */
export const MISSING = '–';

/** A number that may be absent (API fields are often null). */
export type MaybeNumber = number | null | undefined;

function present(value: MaybeNumber): value is number {
  return value !== null && value !== undefined && Number.isFinite(value);
}

const TIME_UNITS = [
  { unit: 'ns', scale: 1 },
  { unit: 'µs', scale: 1e3 },
  { unit: 'ms', scale: 1e6 },
  { unit: 's', scale: 1e9 },
] as const;

/**
 * A time in nanoseconds with 3 significant digits in the largest unit that
 * keeps the number at or above 1.
 * @example formatNs(12.34) // '12.3 ns'
 * @example formatNs(4563) // '4.56 µs'
 * @example formatNs(2e9) // '2.00 s'
 */
export function formatNs(ns: MaybeNumber): string {
  if (!present(ns)) return MISSING;
  const size = Math.abs(ns);
  let index = 0;
  while (index < TIME_UNITS.length - 1 && size >= TIME_UNITS[index + 1]!.scale) index++;
  let { unit, scale } = TIME_UNITS[index]!;
  let text = fixed3(ns / scale);
  // 999.96 ns rounds to 1000 ns: say 1.00 µs instead.
  if (Math.abs(Number(text)) >= 1000 && index < TIME_UNITS.length - 1) {
    ({ unit, scale } = TIME_UNITS[index + 1]!);
    text = fixed3(ns / scale);
  }
  return `${text} ${unit}`;
}

/** 3 significant digits without exponent notation for values >= 1000 (e.g. 1234 s). */
function fixed3(value: number): string {
  if (value === 0) return '0.00';
  return Math.abs(value) >= 1000 ? value.toFixed(0) : value.toPrecision(3);
}

/**
 * A fraction as a percentage: 2 significant digits without trailing zeros,
 * or `digits` fixed decimals when given.
 * @example formatPercent(0.041) // '4.1%'
 * @example formatPercent(0.02) // '2%'
 * @example formatPercent(0.8765, 0) // '88%'
 */
export function formatPercent(fraction: MaybeNumber, digits?: number): string {
  if (!present(fraction)) return MISSING;
  const percent = fraction * 100;
  if (digits !== undefined) return `${percent.toFixed(digits)}%`;
  const text = Math.abs(percent) >= 100 ? percent.toFixed(0) : String(Number(percent.toPrecision(2)));
  return `${text}%`;
}

/**
 * A signed relative change with one decimal.
 * @example formatChange(0.05) // '+5.0%'
 * @example formatChange(-0.125) // '-12.5%'
 */
export function formatChange(change: MaybeNumber): string {
  if (!present(change)) return MISSING;
  return `${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)}%`;
}

/**
 * The number of a ratio without its sign: 2 decimals, 3 significant digits
 * from 10 up, 2 significant digits below 0.1.
 * @example formatRatioNumber(1.4234) // '1.42'
 */
export function formatRatioNumber(ratio: MaybeNumber): string {
  if (!present(ratio)) return MISSING;
  const size = Math.abs(ratio);
  if (size >= 1000) return ratio.toFixed(0);
  if (size >= 10) return ratio.toPrecision(3);
  if (size >= 0.1 || size === 0) return ratio.toFixed(2);
  return ratio.toPrecision(2);
}

/**
 * A ratio as "1.42×".
 * @example formatRatio(1.4234) // '1.42×'
 * @example formatRatio(0.0456) // '0.046×'
 */
export function formatRatio(ratio: MaybeNumber): string {
  if (!present(ratio)) return MISSING;
  return `${formatRatioNumber(ratio)}×`;
}

/**
 * A ratio's CI bounds: "[1.38, 1.46]".
 * @example formatRatioRange(1.38, 1.46) // '[1.38, 1.46]'
 */
export function formatRatioRange(low: MaybeNumber, high: MaybeNumber): string {
  return `[${formatRatioNumber(low)}, ${formatRatioNumber(high)}]`;
}

/**
 * A ratio with its CI: "1.42× [1.38, 1.46]"; just the ratio when a bound is missing.
 * @example formatRatioCi(1.42, 1.38, 1.46) // '1.42× [1.38, 1.46]'
 */
export function formatRatioCi(ratio: MaybeNumber, low: MaybeNumber, high: MaybeNumber): string {
  if (!present(ratio)) return MISSING;
  if (!present(low) || !present(high)) return formatRatio(ratio);
  return `${formatRatio(ratio)} ${formatRatioRange(low, high)}`;
}

/**
 * A time ratio (other / base) in words: how many times slower or faster.
 * @example formatRatioReading(1.42) // '1.42× slower'
 * @example formatRatioReading(0.5) // '2.00× faster'
 */
export function formatRatioReading(ratio: MaybeNumber): string {
  if (!present(ratio) || ratio <= 0) return MISSING;
  if (Math.abs(ratio - 1) < 0.005) return 'about the same';
  return ratio > 1 ? `${formatRatio(ratio)} slower` : `${formatRatio(1 / ratio)} faster`;
}

/**
 * A ratio's CI in words, when it settles the direction.
 * @example ratioVerdict(1.1, 1.3) // 'slower'
 * @example ratioVerdict(0.9, 1.1) // 'no clear change'
 */
export function ratioVerdict(low: MaybeNumber, high: MaybeNumber): string {
  if (low === null || low === undefined || high === null || high === undefined) return '';
  return low > 1 ? 'slower' : high < 1 ? 'faster' : 'no clear change';
}

/**
 * A p-value: "p=0.034", "p<0.001".
 * @example formatPValue(0.0004) // 'p<0.001'
 */
export function formatPValue(p: MaybeNumber): string {
  if (!present(p)) return `p=${MISSING}`;
  return p < 0.001 ? 'p<0.001' : `p=${Number(p.toPrecision(2))}`;
}

/**
 * Bytes in binary units.
 * @example formatBytes(3 * 1024 * 1024) // '3.0 MiB'
 */
export function formatBytes(bytes: MaybeNumber): string {
  if (!present(bytes)) return MISSING;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}
