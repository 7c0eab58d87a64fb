/**
 * `compareRun()`: every other mode of a run against the base mode, case by
 * case, with a geometric mean per suite and mode.
 */
import { type CaseParams, caseId, caseKey, type Mode, type Result, type RunDocument } from '../schema.ts';
import { compareResults } from './compare.ts';
import { geometricMean } from './geomean.ts';
import type {
  CaseComparison,
  CategoryMean,
  CompareOptions,
  ModeRef,
  ModeSuiteComparison,
  RunComparison,
  RunProblem,
  SuiteComparison,
} from './types.ts';

/** The base mode asked for is not in the run, or matches several modes. */
export class BaseModeError extends Error {
  override name = 'BaseModeError';
}

export interface CompareRunOptions extends Omit<CompareOptions, 'loopCostNs'> {
  /** Mode id (`cpython-3.13.5/gil`) or mode name (`gil`); default: the `gil` mode, else the first mode. */
  base?: string;
}

/**
 * The mode to compare against: by id, else by name (which must then be
 * unique); without `base`, the first `gil` mode, else the first mode.
 * @example resolveBaseMode(doc.modes, 'nogil').id // 'cpython-3.13.5t/nogil'
 */
export function resolveBaseMode(modes: readonly Mode[], base?: string): Mode {
  if (modes.length === 0) throw new BaseModeError('the run has no modes');
  const ids = modes.map((m) => m.id).join(', ');
  if (base === undefined) return modes.find((m) => m.mode === 'gil') ?? modes[0]!;
  const byId = modes.find((m) => m.id === base);
  if (byId) return byId;
  const byName = modes.filter((m) => m.mode === base);
  if (byName.length === 1) return byName[0]!;
  if (byName.length > 1) {
    throw new BaseModeError(
      `mode name '${base}' matches ${byName.length} modes (${byName.map((m) => m.id).join(', ')})`,
    );
  }
  throw new BaseModeError(`no mode '${base}' in this run (its modes: ${ids})`);
}

interface CaseGroup {
  suite: string;
  benchmark: string;
  params: CaseParams;
  caseId: string;
  byMode: Map<string, Result>;
}

/**
 * Pair results by (suite, benchmark, case key) between the base mode and each
 * other mode. Checksums that differ between modes of one case are listed as
 * problems, and such pairs are left out of the rows and geometric means.
 * @example
 * const comparison = compareRun(doc, { base: 'gil' });
 * for (const s of comparison.suites) for (const m of s.byMode) console.log(s.suite, m.other.id, m.geometricMean?.value);
 */
export function compareRun(doc: RunDocument, opts: CompareRunOptions = {}): RunComparison {
  const { base: baseOption, ...compareOptions } = opts;
  const base = resolveBaseMode(doc.modes, baseOption);
  const others = doc.modes.filter((m) => m.id !== base.id);
  const knownModes = new Set(doc.modes.map((m) => m.id));
  const problems: RunProblem[] = [];

  const cases = new Map<string, CaseGroup>();
  for (const result of doc.results) {
    if (!knownModes.has(result.mode)) continue;
    const key = JSON.stringify([result.suite, result.benchmark, caseKey(result.params)]);
    let group = cases.get(key);
    if (!group) {
      const id = caseId(result.suite, result.benchmark, result.params);
      group = {
        suite: result.suite,
        benchmark: result.benchmark,
        params: result.params,
        caseId: id,
        byMode: new Map(),
      };
      cases.set(key, group);
    }
    if (group.byMode.has(result.mode)) {
      problems.push({
        kind: 'duplicate-result',
        caseId: group.caseId,
        message: `${group.caseId} has more than one result in ${result.mode}; the first one is used`,
      });
      continue;
    }
    group.byMode.set(result.mode, result);
    // The GIL's verdicts travel with the comparison: an invalid nogil row says why, a forced one says what it hid.
    for (const w of result.warnings) {
      if (w.code === 'gil-reenabled' || w.code === 'gil-forced-off') {
        problems.push({ kind: w.code, caseId: group.caseId, message: `${group.caseId} ${result.mode}: ${w.message}` });
      }
    }
  }

  for (const group of cases.values()) {
    const checksums = checksumsOf(group);
    if (new Set(Object.values(checksums)).size > 1) {
      const listed = Object.entries(checksums)
        .map(([mode, sum]) => `${mode}=${sum}`)
        .join(', ');
      problems.push({
        kind: 'checksum-mismatch',
        caseId: group.caseId,
        message: `${group.caseId}: the modes computed different things (${listed})`,
        checksums,
      });
    }
  }

  const suiteOrder = [...new Set([...doc.suites.map((s) => s.name), ...[...cases.values()].map((c) => c.suite)])];
  const suites: SuiteComparison[] = [];
  for (const suite of suiteOrder) {
    // Cases of one benchmark together, benchmarks and cases in the order the run measured them.
    const suiteCases = [...cases.values()].filter((c) => c.suite === suite);
    const benchmarkOrder = [...new Set(suiteCases.map((c) => c.benchmark))];
    suiteCases.sort((a, b) => benchmarkOrder.indexOf(a.benchmark) - benchmarkOrder.indexOf(b.benchmark));
    const byMode = others
      .map((other) => {
        const rows = suiteCases.flatMap((group) => compareCase(group, base, other, compareOptions));
        const byMode: ModeSuiteComparison = {
          other: refOf(other),
          rows,
          geometricMean: geometricMean(rows.map((r) => r.comparison)),
        };
        const categories = categoryMeans(doc, suite, rows);
        if (categories.length > 0) byMode.categories = categories;
        return byMode;
      })
      .filter((m) => m.rows.length > 0);
    if (byMode.length > 0) suites.push({ suite, byMode });
  }

  return { runId: doc.id, profile: doc.profile, base: refOf(base), others: others.map(refOf), suites, problems };
}

/** Geometric means per benchmark category, in the order the suite lists its benchmarks. */
function categoryMeans(doc: RunDocument, suite: string, rows: CaseComparison[]): CategoryMean[] {
  const info = doc.suites.find((s) => s.name === suite);
  const categoryOf = new Map((info?.benchmarks ?? []).map((b) => [b.name, b.category]));
  const order = [...new Set((info?.benchmarks ?? []).map((b) => b.category).filter((c): c is string => !!c))];
  return order.map((category) => ({
    category,
    geometricMean: geometricMean(rows.filter((r) => categoryOf.get(r.benchmark) === category).map((r) => r.comparison)),
  }));
}

function compareCase(
  group: CaseGroup,
  base: Mode,
  other: Mode,
  opts: Omit<CompareOptions, 'loopCostNs'>,
): CaseComparison[] {
  const baseResult = group.byMode.get(base.id);
  const otherResult = group.byMode.get(other.id);
  if (!baseResult && !otherResult) return [];
  const row = { suite: group.suite, benchmark: group.benchmark, params: group.params, caseId: group.caseId };
  if (!baseResult || !otherResult) {
    const missing = baseResult ? other.id : base.id;
    const reason = `no result in ${missing}`;
    const comparison = { ratio: null, ciLow: null, ciHigh: null, pValue: null, significant: false, reason };
    return [{ ...row, comparison: { ...comparison, base: null, other: null } }];
  }
  // A checksum mismatch is a listed problem, not a result.
  const checksums = checksumsOf(group);
  const baseSum = checksums[base.id];
  const otherSum = checksums[other.id];
  if (baseSum !== undefined && otherSum !== undefined && baseSum !== otherSum) return [];
  return [{ ...row, comparison: compareResults(baseResult, otherResult, opts) }];
}

/** Mode id -> checksum, over the case's ok results that reported one. */
function checksumsOf(group: CaseGroup): Record<string, string> {
  const checksums: Record<string, string> = {};
  for (const [mode, result] of group.byMode) {
    if (result.status === 'ok' && result.checksum !== null) checksums[mode] = result.checksum;
  }
  return checksums;
}

function refOf(mode: Mode): ModeRef {
  return { id: mode.id, mode: mode.mode };
}
