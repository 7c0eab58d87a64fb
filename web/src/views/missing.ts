/**
 * What a URL names that does not exist: a view, a machine, a run or a case.
 * The page says so instead of quietly opening something else (issue #16,
 * finding 9), in its own words rather than the validator's.
 *
 * @example
 * await missingFromUrl(api, '#/nope', VIEW_IDS) // { what: 'view', name: 'nope', message: 'There is no view “nope”.', … }
 */
import type { Api } from '../api.ts';
import { ApiError } from '../source.ts';
import { seriesCaseId } from './history/model.ts';

export interface Missing {
  what: 'view' | 'machine' | 'run' | 'case';
  name: string;
  message: string;
  /** The URL parameter to drop to open the view without it (none for a view). */
  param: string | null;
}

/** The view path of a hash (`compare` for `#/compare?x=1`), `''` for none. */
export function hashPath(hash: string): string {
  const text = hash.replace(/^#\/?/, '');
  const q = text.indexOf('?');
  return q === -1 ? text : text.slice(0, q);
}

/** The first thing the URL names that the server does not have, or null. */
export async function missingFromUrl(
  api: Api,
  hash: string,
  views: readonly string[],
  params: URLSearchParams,
): Promise<Missing | null> {
  const path = hashPath(hash);
  if (path && !views.includes(path))
    return { what: 'view', name: path, message: `There is no view “${path}”.`, param: null };
  const machineParam = params.get('machine');
  if (machineParam) {
    const machines = await api.machines();
    if (!machines.some((m) => String(m.id) === machineParam))
      return {
        what: 'machine',
        name: machineParam,
        message: `There is no machine “${machineParam}” on this server.`,
        param: 'machine',
      };
  }
  const run = params.get('run');
  if (run) {
    const found = await api.run(run).then(
      () => true,
      (err: unknown) => {
        // 404 (no such run) and 400 (not a run id at all) both mean: not here. Anything else is an outage.
        if (err instanceof ApiError && (err.status === 404 || err.status === 400)) return false;
        throw err;
      },
    );
    if (!found) return { what: 'run', name: run, message: `There is no run “${run}” on this server.`, param: 'run' };
  }
  const wantedCase = params.get('case');
  if (wantedCase && path === 'history') {
    // Per machine: the answers an exported site holds too.
    const machines = machineParam ? [{ id: Number(machineParam) }] : await api.machines();
    const series = (await Promise.all(machines.map((m) => api.series({ machine: m.id })))).flat();
    if (!series.some((s) => seriesCaseId(s) === wantedCase))
      return {
        what: 'case',
        name: wantedCase,
        message: `No history of the case “${wantedCase}”${machineParam ? ' on this machine' : ''}.`,
        param: 'case',
      };
  }
  return null;
}
