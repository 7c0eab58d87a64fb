/**
 * The one way to name a case and its parameters: the canonical key the run
 * schema, the store and the API use (`lock=rlock,threads=4`: keys sorted,
 * `k=v` joined by commas), the display id `suite/benchmark[key]`, and the
 * names built on them. No runtime imports: the dashboard bundles this file.
 *
 * The key is collision-free and knows types: a name or a string value is
 * written bare only when it is a plain word (a letter or `_`, then letters,
 * digits, `_`, `.`, `-`) and, for a value, not `true` or `false`; otherwise
 * it is a JSON string. Numbers and booleans are written bare. So
 * `{a: '1,b=2'}` is `a="1,b=2"`, never `a=1,b=2`, and `'true'` is `"true"`,
 * never `true`; a key reads back to one set of parameters only. Stored keys
 * were rewritten to this form by the migrations named `case_keys_typed`.
 *
 * @example caseId('locks', 'read', { threads: 4, lock: 'rlock' }) === 'locks/read[lock=rlock,threads=4]'
 */
import type { CaseParams } from './schema.ts';

/** Parameters as the API and the dashboard carry them (same shape as the schema's). */
type Params = Readonly<CaseParams>;

/** A plain word: what may stand without quotes (and holds no `,`, `=` or `"`). */
const PLAIN = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

const encodeName = (name: string) => (PLAIN.test(name) ? name : JSON.stringify(name));

function encodeValue(value: string | number | boolean): string {
  if (typeof value !== 'string') return String(value);
  return PLAIN.test(value) && value !== 'true' && value !== 'false' ? value : JSON.stringify(value);
}

/** `k=v` for each parameter, in key order. */
function pairs(params: Params): string[] {
  return Object.keys(params)
    .sort()
    .map((k) => `${encodeName(k)}=${encodeValue(params[k]!)}`);
}

/**
 * The canonical key of a case's parameters: keys sorted, `k=v` joined by commas; a value
 * that is not a plain word, or a string that reads like a boolean, is a JSON string.
 * @example caseKey({ threads: 4, lock: 'rlock' }) === 'lock=rlock,threads=4'
 * @example caseKey({ a: '1,b=2' }) === 'a="1,b=2"'
 */
export function caseKey(params: Params): string {
  return pairs(params).join(',');
}

/**
 * A case's display id: `suite/benchmark[params]`.
 * @example caseId('scaling', 'shared-dict-read', { threads: 2 }) === 'scaling/shared-dict-read[threads=2]'
 */
export function caseId(suite: string, benchmark: string, params: Params): string {
  const key = caseKey(params);
  return key ? `${suite}/${benchmark}[${key}]` : `${suite}/${benchmark}`;
}

/**
 * The parameters of a case without its thread count: what one scaling line shares.
 * @example withoutThreads({ threads: 2, lock: 'rlock' }) // { lock: 'rlock' }
 */
export function withoutThreads(params: Params): CaseParams {
  const { threads: _, ...rest } = params;
  return rest;
}

/**
 * A workload: the case id without the thread count, so every thread count of one
 * scaling line shares it.
 * @example workloadKey('locks', 'read', { threads: 2, lock: 'rlock' }) === 'locks/read[lock=rlock]'
 */
export function workloadKey(suite: string, benchmark: string, params: Params): string {
  return caseId(suite, benchmark, withoutThreads(params));
}

/**
 * Case parameters for reading: `lock=rlock, threads=4` (empty for none).
 * @example formatParams({ threads: 4, lock: 'rlock' }) === 'lock=rlock, threads=4'
 */
export function formatParams(params: Params | null | undefined): string {
  return params ? pairs(params).join(', ') : '';
}
