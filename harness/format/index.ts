/**
 * Formatting shared by the CLI, the reports and the dashboard: one spelling
 * of units, ratios and missing values everywhere (see numbers.ts for which
 * and why). Browser-safe: nothing here imports node.
 *
 * @example
 * import { formatNs, formatRatioCi } from '../harness/format/index.ts';
 * formatRatioCi(1.42, 1.38, 1.46) === '1.42× [1.38, 1.46]';
 */
export { formatParams } from '../case-key.ts';
export { formatAgo, formatTime } from './dates.ts';
export {
  formatBytes,
  formatChange,
  formatNs,
  formatPercent,
  formatPValue,
  formatRatio,
  formatRatioCi,
  formatRatioNumber,
  formatRatioRange,
  formatRatioReading,
  type MaybeNumber,
  MISSING,
  ratioVerdict,
} from './numbers.ts';
export { formatRuntimeChange } from './runtimes.ts';
