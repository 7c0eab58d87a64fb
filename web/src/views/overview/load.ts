/**
 * Overview's data: every machine (seen last first) and, for each, the runs
 * its headlines are read from: the newest runs that measured each one.
 */

import { locksHeadline, type RunHeadlines, scalingHeadline } from '../../../../harness/stats/headlines.ts';
import { hasScaling, type ScalingGroup } from '../../analysis.ts';
import type { Api, RunInfo } from '../../api.ts';
import { latestRunWith } from '../shared/load.ts';
import type { ViewState } from '../types.ts';
import { type Headlines, headlineModes, isCall, isSingleThread, type OverviewData } from './model.ts';

/**
 * The run's headlines as the server computed and kept them (the trends answer, harness/stats/headlines.ts:
 * the numbers the page would bootstrap from the samples); null when it cannot say (an exported site holds
 * only the trends view's limits), and the page computes them itself.
 */
async function serverHeadlines(api: Api, runs: readonly RunInfo[], run: RunInfo): Promise<RunHeadlines | null> {
  if (api.source.kind === 'static') return null;
  const limit = runs.findIndex((r) => r.id === run.id) + 1;
  if (limit === 0) return null;
  const trend = await api.trends(run.machineId, limit).catch(() => null);
  return trend?.find((t) => t.runId === run.id)?.headlines ?? null;
}

/** Finds, among the machine's newest runs, the one each headline is read from. */
async function findHeadlines(api: Api, runs: readonly RunInfo[]): Promise<Headlines> {
  // The scaling and locks headlines often come from the same run: one request for both.
  const asked = new Map<string, Promise<RunHeadlines | null>>();
  const served = (run: RunInfo) => {
    if (!asked.has(run.id)) asked.set(run.id, serverHeadlines(api, runs, run));
    return asked.get(run.id)!;
  };
  const withBoth = runs.filter((r) => {
    const { gil, nogil } = headlineModes(r);
    return gil && nogil;
  });
  const overhead = async (): Promise<Headlines['overhead']> => {
    const hit =
      (await latestRunWith(withBoth, async (r) => {
        const run = await api.run(r.id);
        return run.results.some(isSingleThread) ? run : null;
      })) ?? (withBoth[0] ? { run: withBoth[0], found: await api.run(withBoth[0].id) } : null);
    if (!hit) return null;
    const run = hit.found;
    const { gil, nogil } = headlineModes(run);
    const comparison = await api.compareModes(run.id, gil!.id, nogil!.id).catch(() => null);
    return { run, comparison, singleThread: run.results.some(isSingleThread) };
  };
  // The scaling suite is what the headline is about; other threaded benchmarks stand in without it.
  const scaling = async (): Promise<Headlines['scaling']> => {
    const ofSuite = (curves: ScalingGroup[]) => curves.filter((c) => c.suite === 'scaling');
    const hit =
      (await latestRunWith(runs, async (r) => {
        const curves = ofSuite(await api.scaling(r.id));
        return hasScaling(curves) ? curves : null;
      })) ??
      (await latestRunWith(runs, async (r) => {
        const curves = await api.scaling(r.id);
        return hasScaling(curves) ? curves : null;
      }));
    if (!hit) return null;
    const { nogil } = headlineModes(hit.run);
    const fromServer = await served(hit.run);
    // Against gil on one thread needs the raw samples when the server's answer is not at hand.
    const againstGil = fromServer
      ? fromServer.scaling
      : nogil
        ? scalingHeadline((await api.runWithSamples(hit.run.id)).results, nogil.id)
        : null;
    return { run: hit.run, curves: hit.found, againstGil };
  };
  const locks = async (): Promise<Headlines['locks']> => {
    const hit = await latestRunWith(runs, async (r) => {
      const run = await api.run(r.id);
      return run.results.some((x) => x.suite === 'locks') ? run : null;
    });
    if (!hit) return null;
    const fromServer = await served(hit.run);
    if (fromServer) return fromServer.locks ? { run: hit.found, headline: fromServer.locks } : null;
    const run = await api.runWithSamples(hit.run.id);
    const { gil, nogil } = headlineModes(run);
    const headline = locksHeadline(run.results, gil?.id, nogil?.id);
    return headline ? { run, headline } : null;
  };
  // The calls' comparison is asked for as soon as its run is known, beside the other headlines' requests.
  const calls = async (): Promise<Pick<Headlines, 'calls' | 'callsComparison'>> => {
    const hit = await latestRunWith(runs, async (r) => {
      const run = await api.run(r.id);
      return run.results.some(isCall) ? run : null;
    });
    const c = hit?.found ?? null;
    const { gil, nogil } = c ? headlineModes(c) : {};
    const callsComparison = c && gil && nogil ? await api.compareModes(c.id, gil.id, nogil.id).catch(() => null) : null;
    return { calls: c, callsComparison };
  };
  const [o, s, c, l] = await Promise.all([overhead(), scaling(), calls(), locks()]);
  return { overhead: o, scaling: s, ...c, locks: l };
}

export async function loadOverview(api: Api, _state: ViewState): Promise<OverviewData> {
  const machines = [...(await api.machines())].sort((a, b) => b.lastSeen - a.lastSeen);
  return {
    machines: await Promise.all(
      machines.map(async (machine) => {
        const latest = machine.latestRun;
        if (!latest) return { machine, headlines: null };
        const runs = await api.runs({ machine: machine.id });
        return { machine, headlines: await findHeadlines(api, runs.length ? runs : [latest]) };
      }),
    ),
  };
}
