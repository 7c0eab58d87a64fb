/**
 * Small SVG badges for a README (label on grey, message on a colour), as the
 * server's `/badges/…svg` and an exported site's `badges/` both draw them.
 * The whole text is also the image's `<title>` and `aria-label`, so a reader
 * whose client shows no image, a screen reader, or a copy-paste still gets
 * the figure. Browser-safe.
 *
 * @example
 * badgeSvg(singleThreadBadge({ value: 1.42, ciLow: 1.38, ciHigh: 1.46 }, 'cpython-3.13.5t'));
 */
import { xmlText } from './atom.ts';
import { formatRatio, formatRatioRange } from './numbers.ts';

export interface Badge {
  label: string;
  message: string;
  /** A CSS colour for the message's half. */
  color: string;
}

/** Colours (contrast ≥ 4.5 with white text). */
export const BADGE_COLORS = {
  good: '#2e7d32',
  neutral: '#1565c0',
  warn: '#b35c00',
  bad: '#c62828',
  none: '#616161',
} as const;

/** Width of text at 11px sans-serif, estimated per character (no font metrics in a server). */
function textWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += /[il.,:;|!'[\] ]/.test(ch) ? 3.5 : /[mwMW×]/.test(ch) ? 9.5 : 7;
  return Math.ceil(width);
}

/**
 * The badge as a standalone SVG document.
 * @example badgeSvg({ label: 'regressions', message: '0 open', color: BADGE_COLORS.good })
 */
export function badgeSvg(badge: Badge): string {
  const pad = 6;
  const left = textWidth(badge.label) + 2 * pad;
  const right = textWidth(badge.message) + 2 * pad;
  const width = left + right;
  const text = xmlText(`${badge.label}: ${badge.message}`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="20" viewBox="0 0 ${width} 20" role="img" aria-label="${text}">`,
    `  <title>${text}</title>`,
    `  <rect width="${left}" height="20" fill="#555"/>`,
    `  <rect x="${left}" width="${right}" height="20" fill="${xmlText(badge.color)}"/>`,
    '  <g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">',
    `    <text x="${pad}" y="14">${xmlText(badge.label)}</text>`,
    `    <text x="${left + pad}" y="14">${xmlText(badge.message)}</text>`,
    '  </g>',
    '</svg>',
    '',
  ].join('\n');
}

/** What the single-thread badge reads: the suite's geometric mean of nogil/gil time ratios. */
export interface RatioFigure {
  value: number;
  ciLow: number;
  ciHigh: number;
}

/**
 * The single-thread cost of the free-threaded build: nogil/gil time, geometric mean over the suite, with its CI.
 * @example singleThreadBadge({ value: 1.42, ciLow: 1.38, ciHigh: 1.46 }, 'cpython-3.13.5t').message === '1.42× [1.38, 1.46] time, cpython-3.13.5t'
 */
export function singleThreadBadge(figure: RatioFigure | null, runtime: string | null, why = 'no run'): Badge {
  const label = 'nogil/gil single-thread';
  if (!figure) return { label, message: why, color: BADGE_COLORS.none };
  const color = figure.ciHigh < 1 ? BADGE_COLORS.good : figure.ciLow <= 1.1 ? BADGE_COLORS.neutral : BADGE_COLORS.warn;
  const message = `${formatRatio(figure.value)} ${formatRatioRange(figure.ciLow, figure.ciHigh)} time`;
  return { label, message: runtime ? `${message}, ${runtime}` : message, color };
}

/**
 * The open (status `new`) regressions.
 * @example regressionsBadge(0).message === '0 open'
 */
export function regressionsBadge(open: number, where?: string): Badge {
  return {
    label: where ? `regressions on ${where}` : 'regressions',
    message: `${open} open`,
    color: open === 0 ? BADGE_COLORS.good : BADGE_COLORS.bad,
  };
}
