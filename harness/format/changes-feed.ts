/**
 * The Atom feed of detected regressions, as the server's `/feed.xml` and an
 * exported site's `feed.xml` both write it (one implementation, so a feed
 * reader sees the same entries from either). Each entry's id names the
 * machine, mode, case and run range of the change, so it is the same in
 * every later version of the feed and in a re-export; its link opens the
 * dashboard's history of that series at the change. Browser-safe.
 *
 * @example
 * const xml = regressionFeedXml(regressions, { siteUrl: 'http://127.0.0.1:8080/', selfUrl: 'http://127.0.0.1:8080/feed.xml', now: Date.now() });
 */
import { caseId } from '../case-key.ts';
import type { CaseParams } from '../schema.ts';
import { type AtomEntry, atomXml } from './atom.ts';
import { formatTime } from './dates.ts';
import { formatChange, formatNs } from './numbers.ts';

/** What the feed reads of a detected change (the API's `Regression` has these fields). */
export interface FeedChange {
  machineId: number;
  hostname: string;
  suite: string;
  benchmark: string;
  params: Readonly<CaseParams>;
  modeId: string;
  kind: string;
  status: string;
  note: string;
  change: number;
  changeCiLow: number;
  changeCiHigh: number;
  beforeNs: number;
  afterNs: number;
  startedAt: number;
  runId: string;
  previousRunId: string | null;
  detectedAt: number;
  updatedAt: number;
}

export interface RegressionFeedOptions {
  /** The dashboard's absolute URL (`http://host:8080/`, or an exported site's `index.html`). */
  siteUrl: string;
  /** This feed's absolute URL. */
  selfUrl: string;
  /** The machine the feed is limited to, if any. */
  machine?: { id: number; hostname: string };
  /** The feed's `updated` when it has no entries. */
  now: number;
}

/** Where stable ids live: a tag URI (RFC 4151) of gilbench's own. */
const TAG = 'tag:gilbench,2025:';

/**
 * The permanent id of a change: machine, mode, case and the run range it appeared in.
 * @example changeEntryId(r) // 'tag:gilbench,2025:regression/machine-1/cpython-3.13.5t%2Fnogil/calls%2Fcall%5Barity%3D0%5D/<prev>..<run>'
 */
export function changeEntryId(r: FeedChange): string {
  const part = encodeURIComponent;
  return `${TAG}${part(r.kind)}/machine-${r.machineId}/${part(r.modeId)}/${part(caseId(r.suite, r.benchmark, r.params))}/${r.previousRunId ?? 'first'}..${r.runId}`;
}

/**
 * The dashboard link of a change: its series' history, at the change (the same state the regressions view links to).
 * @example changeLink(r, 'http://127.0.0.1:8080/') // 'http://127.0.0.1:8080/#/history?machine=1&case=…&modes=…&at=…'
 */
export function changeLink(r: FeedChange, siteUrl: string): string {
  const query = new URLSearchParams({
    machine: String(r.machineId),
    case: caseId(r.suite, r.benchmark, r.params),
    modes: r.modeId,
    at: String(r.startedAt),
  });
  return `${siteUrl.replace(/#.*$/, '')}#/history?${query}`;
}

function entryOf(r: FeedChange, siteUrl: string): AtomEntry {
  const name = caseId(r.suite, r.benchmark, r.params);
  const range = r.previousRunId ? `between run ${r.previousRunId} and run ${r.runId}` : `at run ${r.runId}`;
  const lines = [
    `${name} in ${r.modeId} on ${r.hostname}: ${formatNs(r.beforeNs)} → ${formatNs(r.afterNs)} per operation, ${formatChange(r.change)} (95% CI ${formatChange(r.changeCiLow)} to ${formatChange(r.changeCiHigh)}).`,
    `It appeared ${range}, started ${formatTime(r.startedAt)}; status: ${r.status}.`,
  ];
  if (r.note) lines.push(`Note: ${r.note}`);
  return {
    id: changeEntryId(r),
    title: `${r.kind === 'regression' ? 'Slower' : 'Faster'}: ${name} ${formatChange(r.change)} in ${r.modeId} on ${r.hostname}`,
    updated: r.updatedAt,
    published: r.detectedAt,
    link: changeLink(r, siteUrl),
    summary: lines.join('\n'),
    categories: [r.suite, r.modeId, r.status],
  };
}

/** The feed of `changes` (newest first, as the API lists them) as Atom XML. */
export function regressionFeedXml(changes: readonly FeedChange[], opts: RegressionFeedOptions): string {
  const where = opts.machine ? ` on ${opts.machine.hostname}` : '';
  return atomXml({
    id: opts.machine ? `${TAG}regressions/machine-${opts.machine.id}` : `${TAG}regressions`,
    title: `gilbench regressions${where}`,
    subtitle: `Slowdowns the detector found${where}, newest first`,
    // The newest change to an entry, so the feed's time moves only when its content does.
    updated: changes.length ? Math.max(...changes.map((r) => r.updatedAt)) : opts.now,
    selfUrl: opts.selfUrl,
    siteUrl: opts.machine
      ? `${opts.siteUrl.replace(/#.*$/, '')}#/regressions?machine=${opts.machine.id}`
      : `${opts.siteUrl.replace(/#.*$/, '')}#/regressions`,
    entries: changes.map((r) => entryOf(r, opts.siteUrl)),
  });
}
