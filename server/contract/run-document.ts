/**
 * Validation of an uploaded run document: the zod schema of harness/schema.ts,
 * with the raw samples checked by a plain loop first.
 *
 * Samples are most of a document (about 4,000 numbers in 60 results) and zod
 * visits each number through its generic machinery: half of the schema's
 * time. `z.array(z.number().positive()).max(100_000)` accepts exactly the
 * arrays of at most 100,000 finite numbers above 0 (zod 4's `z.number()`
 * refuses NaN and ±Infinity), which is what `validSamples` checks. Documents
 * whose samples all pass are validated by zod with each `samples` set to `[]`
 * and get their own arrays back; any other document goes through zod whole,
 * so its issues are zod's, word for word. Either way no document zod would
 * refuse is accepted.
 *
 * @example
 * const parsed = parseRunDocument(JSON.parse(text));
 * if (!parsed.success) console.log(parsed.error.issues);
 */
import type { z } from 'zod';
import { caseKey } from '../../harness/case-key.ts';
import { RunDocument } from '../../harness/schema.ts';

/** Most samples in one result (the schema's `.max`). */
const MAX_SAMPLES = 100_000;
const NO_SAMPLES: readonly number[] = Object.freeze([]);

/**
 * Whether `value` is what the schema's `samples` accepts: an array of at most
 * 100,000 finite numbers above 0.
 * @example validSamples([1.5, 2]) // true
 * @example validSamples([1, Infinity]) // false
 */
export function validSamples(value: unknown): value is number[] {
  if (!Array.isArray(value) || value.length > MAX_SAMPLES) return false;
  for (let i = 0; i < value.length; i++) {
    const x = value[i];
    // NaN fails `x > 0`; holes read as undefined and fail typeof.
    if (typeof x !== 'number' || !(x > 0) || x === Number.POSITIVE_INFINITY) return false;
  }
  return true;
}

/**
 * The results' sample arrays when every result is a plain object whose samples pass
 * `validSamples`; null otherwise (then zod checks the whole document).
 */
function checkedSamples(doc: unknown): number[][] | null {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return null;
  const results = (doc as { results?: unknown }).results;
  if (!Array.isArray(results)) return null;
  const samples: number[][] = new Array(results.length);
  for (let i = 0; i < results.length; i++) {
    const r = results[i];
    if (r === null || typeof r !== 'object' || Array.isArray(r)) return null;
    const s = (r as { samples?: unknown }).samples;
    if (!validSamples(s)) return null;
    samples[i] = s;
  }
  return samples;
}

/**
 * Validates a parsed JSON value as a `gilbench.run/v1` document: the same
 * verdict, data and issues as `RunDocument.safeParse(value)`, in about half the time.
 * @example parseRunDocument({}).success // false
 */
export function parseRunDocument(value: unknown): z.ZodSafeParseResult<RunDocument> {
  const samples = checkedSamples(value);
  if (samples === null) return RunDocument.safeParse(value);
  const doc = value as { results: Array<Record<string, unknown>> };
  const light = { ...doc, results: doc.results.map((r) => ({ ...r, samples: NO_SAMPLES })) };
  const parsed = RunDocument.safeParse(light);
  if (parsed.success) {
    const results = parsed.data.results;
    for (let i = 0; i < results.length; i++) results[i]!.samples = samples[i]!;
  }
  return parsed;
}

/**
 * What one run may hold, stated in the API (API.md) and enforced at upload
 * with a 413 that names the limit: every answer about a run is computed from
 * all its samples, so their number bounds that work.
 */
export const RUN_LIMITS = { results: 10_000, samples: 1_000_000 } as const;

/** Which per-run limit `doc` exceeds, or null. */
export function runOverLimit(doc: { results: ReadonlyArray<{ samples: readonly unknown[] }> }): string | null {
  if (doc.results.length > RUN_LIMITS.results) {
    return `the run has ${doc.results.length} results; a run may have at most ${RUN_LIMITS.results}`;
  }
  let samples = 0;
  for (const r of doc.results) samples += r.samples.length;
  if (samples > RUN_LIMITS.samples) {
    return `the run has ${samples} samples in all; a run may have at most ${RUN_LIMITS.samples}`;
  }
  return null;
}

/** Problems zod cannot see: references inside the document and its times. */
export function runDocumentProblems(doc: RunDocument): string[] {
  const problems: string[] = [];
  const modeIds = new Set<string>();
  for (const m of doc.modes) {
    if (modeIds.has(m.id)) problems.push(`modes: ${m.id} appears twice`);
    modeIds.add(m.id);
  }
  const seen = new Set<string>();
  for (const [i, r] of doc.results.entries()) {
    if (!modeIds.has(r.mode)) problems.push(`results[${i}].mode: ${r.mode} is not one of the run's modes`);
    const key = JSON.stringify([r.suite, r.benchmark, caseKey(r.params), r.mode]);
    if (seen.has(key)) problems.push(`results[${i}]: a second result for the same case and mode`);
    seen.add(key);
    if (r.stats && !(r.stats.ciLow <= r.stats.median && r.stats.median <= r.stats.ciHigh)) {
      problems.push(`results[${i}].stats: the median lies outside its CI`);
    }
  }
  if (Date.parse(doc.finishedAt) < Date.parse(doc.startedAt)) problems.push('finishedAt is before startedAt');
  return problems.slice(0, 20);
}
