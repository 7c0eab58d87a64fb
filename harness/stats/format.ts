/**
 * Human-readable numbers: times in ns/us/ms/s, percentages, ratios, p-values.
 */

const TIME_UNITS = [
  { unit: 'ns', scale: 1 },
  { unit: 'us', scale: 1e3 },
  { unit: 'ms', scale: 1e6 },
  { unit: 's', scale: 1e9 },
] as const;

/**
 * A time in nanoseconds with 3 significant digits in the largest unit that
 * keeps the number at or above 1 ("n/a" for NaN or infinity).
 * @example formatNs(12.34) // '12.3 ns'
 * @example formatNs(4563) // '4.56 us'
 * @example formatNs(2e9) // '2.00 s'
 */
export function formatNs(ns: number): string {
  if (!Number.isFinite(ns)) return 'n/a';
  const size = Math.abs(ns);
  let index = 0;
  while (index < TIME_UNITS.length - 1 && size >= TIME_UNITS[index + 1]!.scale) index++;
  let { unit, scale } = TIME_UNITS[index]!;
  let text = fixed3(ns / scale);
  // 999.96 ns rounds to 1000 ns: say 1.00 us instead.
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
 * A fraction as a percentage with 2 significant digits, no trailing zeros.
 * @example formatPercent(0.041) // '4.1%'
 * @example formatPercent(0.02) // '2%'
 */
export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return 'n/a';
  const percent = fraction * 100;
  const text = Math.abs(percent) >= 100 ? percent.toFixed(0) : String(Number(percent.toPrecision(2)));
  return `${text}%`;
}

/**
 * A ratio as "1.42x": 2 decimals, 3 significant digits from 10x up, 2 below 0.1x.
 * @example formatRatio(1.4234) // '1.42x'
 * @example formatRatio(0.0456) // '0.046x'
 */
export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return 'n/a';
  return `${formatRatioNumber(ratio)}x`;
}

function formatRatioNumber(ratio: number): string {
  const size = Math.abs(ratio);
  if (size >= 1000) return ratio.toFixed(0);
  if (size >= 10) return ratio.toPrecision(3);
  if (size >= 0.1 || size === 0) return ratio.toFixed(2);
  return ratio.toPrecision(2);
}

/**
 * A ratio with its CI: "1.42x [1.38, 1.46]".
 * @example formatRatioCi(1.42, 1.38, 1.46) // '1.42x [1.38, 1.46]'
 */
export function formatRatioCi(ratio: number, ciLow: number, ciHigh: number): string {
  return `${formatRatio(ratio)} [${formatRatioNumber(ciLow)}, ${formatRatioNumber(ciHigh)}]`;
}

/**
 * A p-value: "p=0.034", "p<0.001".
 * @example formatPValue(0.0004) // 'p<0.001'
 */
export function formatPValue(p: number): string {
  if (!Number.isFinite(p)) return 'p=n/a';
  return p < 0.001 ? 'p<0.001' : `p=${Number(p.toPrecision(2))}`;
}
