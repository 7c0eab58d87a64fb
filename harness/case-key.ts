/**
 * The one way to name a case and its parameters: the canonical key the run
 * schema, the store and the API use (`lock=rlock,threads=4`: keys sorted,
 * `k=v` joined by commas), the display id `suite/benchmark[key]`, and the
 * names built on them. No runtime imports: the dashboard bundles this file.
 *
 * @example caseId('locks', 'read', { threads: 4, lock: 'rlock' }) === 'locks/read[lock=rlock,threads=4]'
 */
import type { CaseParams } from './schema.ts';

/** Parameters as the API and the dashboard carry them (same shape as the schema's). */
type Params = Readonly<CaseParams>;

/** `k=v` for each parameter, in key order. */
function pairs(params: Params): string[] {
  return Object.keys(params)
    .sort()
    .map((k) => `${k}=${String(params[k])}`);
}

/**
 * The canonical key of a case's parameters: keys sorted, `k=v` joined by commas.
 * @example caseKey({ threads: 4, lock: 'rlock' }) === 'lock=rlock,threads=4'
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
