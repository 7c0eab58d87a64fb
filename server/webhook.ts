/**
 * Alerts: the changes the detector finds in one upload go out as one JSON
 * POST to a webhook URL, retried with exponential backoff (p-retry) when the
 * receiver fails or is unreachable. Sending never blocks an upload and never
 * throws at it.
 *
 * One crafted upload can change thousands of series, and many uploads can
 * come in a minute, so: one POST per upload listing at most
 * `maxChangesPerAlert` changes (the rest counted), at most `maxAlerts` POSTs
 * per `windowMs`; alerts over that are dropped and counted, and the next POST
 * (or a summary sent when the window allows) says how many. Text from uploads
 * (hostnames, suite, benchmark and case names) is escaped for chat markup
 * (`escapeChatText`), so a hostname cannot ping a channel or plant a link.
 *
 * @example
 * const alerts = createWebhook('https://chat.example/hooks/bench', { publicUrl: 'https://bench.example' });
 * alerts.send(regressionsOfThisUpload); // fire and forget; `await alerts.idle()` in tests
 */
import pRetry, { AbortError } from 'p-retry';
import { formatChange, formatPercent, formatRuntimeChange } from '../harness/format/index.ts';
import type { Regression } from './store/core/types.ts';

export interface WebhookOptions {
  /** Attempts after the first (default 5). */
  retries?: number;
  /** First backoff in ms (default 1000; doubles each time, at most `maxTimeoutMs`). */
  minTimeoutMs?: number;
  maxTimeoutMs?: number;
  /** Per-attempt timeout in ms (default 10,000). */
  timeoutMs?: number;
  /** At most this many alerts (POSTs, retries not counted) per `windowMs` (default 10). */
  maxAlerts?: number;
  /** The rate limit's window in ms (default 60,000). */
  windowMs?: number;
  /** Changes listed in one alert; the others are counted (default 50). */
  maxChangesPerAlert?: number;
  /** The server's public address, for links in the message. */
  publicUrl?: string;
  /** Where failures are reported (default: stderr). */
  log?: (line: string) => void;
}

export const WEBHOOK_DEFAULTS = {
  retries: 5,
  minTimeoutMs: 1000,
  maxTimeoutMs: 60_000,
  timeoutMs: 10_000,
  maxAlerts: 10,
  windowMs: 60_000,
  maxChangesPerAlert: 50,
} as const;

/** Lines of the message text that list changes; the JSON lists up to `maxChangesPerAlert`. */
const TEXT_LINES = 20;

export interface Webhook {
  /** One alert for the changes of one upload (nothing for none). */
  send(changes: readonly Regression[]): void;
  /** Resolves when every alert started so far has finished (delivered or given up); a summary still waiting for the window is not waited for. */
  idle(): Promise<void>;
  /** Forgets a summary still waiting for the window (at shutdown). */
  close(): void;
}

/** Alerts left out by the rate limit since the last one sent. */
export interface DroppedAlerts {
  alerts: number;
  changes: number;
  /** ISO time of the first one left out. */
  since: string;
}

/**
 * Text from uploads made safe for chat message markup (Slack, Mattermost,
 * Discord, Teams): `&<>` as entities (no `<!channel>`, `<@U1>` or `<url|text>`),
 * `@` before a word as a full-width `＠` (no `@here`, `@channel`, `@all`),
 * Markdown link and code brackets backslash-escaped, control characters as spaces.
 * @example escapeChatText('<!channel> @here [x](http://e)') === '&lt;!channel&gt; ＠here \\[x\\]\\(http://e\\)'
 */
export function escapeChatText(text: string): string {
  return (
    text
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
      .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/@(?=[\p{L}\p{N}_])/gu, '＠')
      .replace(/[[\]()`\\]/g, (c) => `\\${c}`)
  );
}

/** One change as a line of text, every uploaded name escaped. */
function changeLine(r: Regression): string {
  const where = `${r.suite}/${r.benchmark}${r.caseKey ? `[${r.caseKey}]` : ''}`;
  // A change where the runtime changed is the runtime's until shown otherwise: the line says so.
  const runtime = r.runtimeChange ? `, at a ${escapeChatText(formatRuntimeChange(r.runtimeChange))}` : '';
  return `${r.kind} on ${escapeChatText(r.hostname)}: ${escapeChatText(where)} ${escapeChatText(r.modeId)} ${formatChange(r.change)} (95% CI ${formatPercent(r.changeCiLow, 1)}..${formatPercent(r.changeCiHigh, 1)})${runtime}`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The JSON body of one alert: the changes of one upload (the first `maxChanges`),
 * a text for chat receivers, and what the rate limit left out before it.
 * @example alertBody([regression], { publicUrl: 'https://bench.example' }).changes.length === 1
 */
export function alertBody(
  changes: readonly Regression[],
  opts: { publicUrl?: string; maxChanges?: number; dropped?: DroppedAlerts | null } = {},
) {
  const base = opts.publicUrl?.replace(/\/+$/, '');
  const listed = changes.slice(0, opts.maxChanges ?? WEBHOOK_DEFAULTS.maxChangesPerAlert);
  const regressions = changes.filter((r) => r.kind === 'regression').length;
  const improvements = changes.length - regressions;
  const hosts = [...new Set(changes.map((r) => r.hostname))];
  const lines: string[] = [];
  if (changes.length) {
    const counts = [
      regressions && plural(regressions, 'regression'),
      improvements && plural(improvements, 'improvement'),
    ]
      .filter(Boolean)
      .join(' and ');
    lines.push(`gilbench: ${counts} on ${hosts.map(escapeChatText).join(', ')}`);
    lines.push(...changes.slice(0, TEXT_LINES).map(changeLine));
    if (changes.length > TEXT_LINES) lines.push(`and ${changes.length - TEXT_LINES} more`);
  }
  if (opts.dropped) {
    lines.push(
      `gilbench: ${plural(opts.dropped.alerts, 'alert')} (${plural(opts.dropped.changes, 'change')}) not sent since ${opts.dropped.since}: too many alerts; see the regressions page`,
    );
  }
  if (base) lines.push(`${base}/#/regressions`);
  return {
    event: changes.length ? 'changes.detected' : 'alerts.dropped',
    text: lines.join('\n'),
    counts: { regressions, improvements },
    changes: listed.map((r) => ({ ...r, ...(base ? { url: `${base}/api/v1/series/${r.seriesId}/history` } : {}) })),
    /** Changes of this upload not listed in `changes`. */
    omitted: changes.length - listed.length,
    dropped: opts.dropped ?? null,
  };
}

/**
 * @example createWebhook('http://127.0.0.1:9000/hook', { retries: 2, minTimeoutMs: 50, maxAlerts: 3, windowMs: 1000 })
 */
export function createWebhook(url: string, opts: WebhookOptions = {}): Webhook {
  const parsed = new URL(url); // throws early on a malformed URL
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new RangeError(`a webhook URL must be http or https, got ${parsed.protocol}`);
  }
  const o = { ...WEBHOOK_DEFAULTS, ...opts };
  for (const key of ['maxAlerts', 'windowMs', 'maxChangesPerAlert'] as const) {
    if (!(Number.isInteger(o[key]) && o[key] >= 1)) throw new RangeError(`webhook ${key} must be a whole number ≥ 1`);
  }
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const pending = new Set<Promise<void>>();
  /** When the alerts of the current window went out. */
  let sentAt: number[] = [];
  let dropped: DroppedAlerts | null = null;
  let summaryTimer: NodeJS.Timeout | null = null;

  /** Takes a slot of the window, or says when the next one opens (ms from now). */
  const take = (): number => {
    const now = Date.now();
    sentAt = sentAt.filter((t) => t > now - o.windowMs);
    if (sentAt.length < o.maxAlerts) {
      sentAt.push(now);
      return 0;
    }
    return sentAt[0]! + o.windowMs - now;
  };

  const deliver = async (body: string) => {
    await pRetry(
      async () => {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'gilbench-server' },
          body,
          signal: AbortSignal.timeout(o.timeoutMs),
        });
        await response.body?.cancel();
        // 4xx (other than 408/429) will not get better by trying again.
        if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) {
          throw new AbortError(`the webhook refused the alert: HTTP ${response.status}`);
        }
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
      },
      { retries: o.retries, minTimeout: o.minTimeoutMs, maxTimeout: o.maxTimeoutMs, factor: 2 },
    );
  };

  const post = (changes: readonly Regression[]) => {
    const summary = dropped;
    dropped = null;
    if (summaryTimer) clearTimeout(summaryTimer);
    summaryTimer = null;
    const body = JSON.stringify(
      alertBody(changes, { publicUrl: o.publicUrl, maxChanges: o.maxChangesPerAlert, dropped: summary }),
    );
    const what = changes.length ? plural(changes.length, 'change') : 'the summary of dropped alerts';
    const done = deliver(body)
      .catch((err: Error) => log(`gilbench server: webhook alert (${what}) not delivered: ${err.message}`))
      .finally(() => pending.delete(done));
    pending.add(done);
  };

  /** Sends what was dropped once the window has room, unless an alert carries it first. */
  const scheduleSummary = (inMs: number) => {
    if (summaryTimer) return;
    summaryTimer = setTimeout(() => {
      summaryTimer = null;
      if (!dropped) return;
      const wait = take();
      if (wait > 0) scheduleSummary(wait);
      else post([]);
    }, inMs);
    summaryTimer.unref();
  };

  return {
    send(changes) {
      if (!changes.length) return;
      const wait = take();
      if (wait === 0) {
        post(changes);
        return;
      }
      dropped ??= { alerts: 0, changes: 0, since: new Date().toISOString() };
      dropped.alerts++;
      dropped.changes += changes.length;
      if (dropped.alerts === 1) {
        log(`gilbench server: more than ${o.maxAlerts} webhook alerts in ${o.windowMs / 1000} s; counting the rest`);
      }
      scheduleSummary(wait);
    },
    async idle() {
      while (pending.size) await Promise.all([...pending]);
    },
    close() {
      if (summaryTimer) clearTimeout(summaryTimer);
      summaryTimer = null;
    },
  };
}
