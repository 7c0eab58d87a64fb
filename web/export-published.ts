/**
 * The published files of an exported site, at the paths the server serves
 * them (`feed.xml`, `machines/<id>/feed.xml`, `badges/…svg`), so a README or
 * a feed reader pointed at either finds them. They are written by the same
 * writers as the server's (harness/format: changes-feed, badge) from the
 * answers the export already reads.
 *
 * @example
 * await writePublished(api, machines, { dir: staged, siteUrl: 'https://bench.example/gilbench/' });
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { badgeSvg, regressionsBadge, singleThreadBadge } from '../harness/format/badge.ts';
import { regressionFeedXml } from '../harness/format/changes-feed.ts';
import type { MachineInfo } from '../server/contract/index.ts';
import type { Api } from './src/api.ts';

/** Entries in a feed, as the server's (server/feeds.ts). */
const FEED_ENTRIES = 100;

export interface PublishedOptions {
  /** The folder being written. */
  dir: string;
  /** The site's absolute URL (its `index.html` or the folder it is served from). */
  siteUrl: string;
  now: number;
}

/** Writes the feeds and badges; returns how many files. */
export async function writePublished(
  api: Api,
  machines: readonly MachineInfo[],
  opts: PublishedOptions,
): Promise<number> {
  let files = 0;
  const write = (path: string, text: string) => {
    const target = join(opts.dir, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
    files++;
  };
  const selfUrl = (path: string) => new URL(path, opts.siteUrl).href;
  const newest = (list: Awaited<ReturnType<Api['regressions']>>) => list.slice(0, FEED_ENTRIES);
  // Counted by the server: a list answers one page (500 by default) of what may be more.
  const open = (machine?: number) => api.regressionCount({ status: 'new', kind: 'regression', machine });

  const all = await api.regressions({ kind: 'regression' });
  write(
    'feed.xml',
    regressionFeedXml(newest(all), { siteUrl: opts.siteUrl, selfUrl: selfUrl('feed.xml'), now: opts.now }),
  );
  write('badges/regressions.svg', badgeSvg(regressionsBadge(await open())));
  for (const machine of machines) {
    const path = `machines/${machine.id}/feed.xml`;
    const changes = await api.regressions({ kind: 'regression', machine: machine.id });
    write(
      path,
      regressionFeedXml(newest(changes), {
        siteUrl: opts.siteUrl,
        selfUrl: selfUrl(path),
        machine: { id: machine.id, hostname: machine.hostname },
        now: opts.now,
      }),
    );
    write(
      `badges/machines/${machine.id}/regressions.svg`,
      badgeSvg(regressionsBadge(await open(machine.id), machine.hostname)),
    );
    write(`badges/machines/${machine.id}/single-thread.svg`, badgeSvg(await singleThread(api, machine.id)));
  }
  return files;
}

/** The newest run's single-thread suite, nogil against gil (as server/badges.ts). */
async function singleThread(api: Api, machine: number) {
  const [run] = await api.runs({ machine, limit: 1 });
  if (!run) return singleThreadBadge(null, null, 'no run yet');
  const base = run.modes.find((m) => m.mode === 'gil');
  const other = run.modes.find((m) => m.mode === 'nogil');
  if (!base || !other) return singleThreadBadge(null, null, 'newest run lacks gil or nogil');
  const view = await api.compareModes(run.id, base.id, other.id);
  const mean = view.suites.find((s) => s.suite === 'single-thread')?.geometricMean ?? null;
  return singleThreadBadge(mean, other.id.split('/')[0] ?? other.id, 'no single-thread results');
}
