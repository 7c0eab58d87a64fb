/**
 * Alerts: each change the detector finds is POSTed as JSON to a webhook URL,
 * retried with exponential backoff (p-retry) when the receiver fails or is
 * unreachable. Sending never blocks an upload and never throws at it.
 *
 * @example
 * const alerts = createWebhook('https://chat.example/hooks/bench', { publicUrl: 'https://bench.example' });
 * alerts.send(regression); // fire and forget; `await alerts.idle()` in tests
 */
import pRetry, { AbortError } from 'p-retry';
import type { Regression } from './store/core/types.ts';

export interface WebhookOptions {
  /** Attempts after the first (default 5). */
  retries?: number;
  /** First backoff in ms (default 1000; doubles each time, at most `maxTimeoutMs`). */
  minTimeoutMs?: number;
  maxTimeoutMs?: number;
  /** Per-attempt timeout in ms (default 10,000). */
  timeoutMs?: number;
  /** The server's public address, for links in the message. */
  publicUrl?: string;
  /** Where failures are reported (default: stderr). */
  log?: (line: string) => void;
}

export interface Webhook {
  send(regression: Regression): void;
  /** Resolves when every send started so far has finished (delivered or given up). */
  idle(): Promise<void>;
}

/** The JSON body of one alert. */
export function alertBody(r: Regression, publicUrl?: string) {
  const pct = `${r.change >= 0 ? '+' : ''}${(r.change * 100).toFixed(1)}%`;
  return {
    event: r.kind === 'regression' ? 'regression.detected' : 'improvement.detected',
    text: `${r.kind} on ${r.hostname}: ${r.suite}/${r.benchmark}${r.caseKey ? `[${r.caseKey}]` : ''} ${r.modeId} ${pct} (95% CI ${(r.changeCiLow * 100).toFixed(1)}%..${(r.changeCiHigh * 100).toFixed(1)}%) from run ${r.runId}`,
    regression: r,
    ...(publicUrl ? { url: `${publicUrl.replace(/\/+$/, '')}/api/v1/series/${r.seriesId}/history` } : {}),
  };
}

/**
 * @example createWebhook('http://127.0.0.1:9000/hook', { retries: 2, minTimeoutMs: 50 })
 */
export function createWebhook(url: string, opts: WebhookOptions = {}): Webhook {
  const parsed = new URL(url); // throws early on a malformed URL
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new RangeError(`a webhook URL must be http or https, got ${parsed.protocol}`);
  }
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const pending = new Set<Promise<void>>();

  const deliver = async (regression: Regression) => {
    const body = JSON.stringify(alertBody(regression, opts.publicUrl));
    await pRetry(
      async () => {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'gilbench-server' },
          body,
          signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
        });
        await response.body?.cancel();
        // 4xx (other than 408/429) will not get better by trying again.
        if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) {
          throw new AbortError(`the webhook refused the alert: HTTP ${response.status}`);
        }
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
      },
      {
        retries: opts.retries ?? 5,
        minTimeout: opts.minTimeoutMs ?? 1000,
        maxTimeout: opts.maxTimeoutMs ?? 60_000,
        factor: 2,
      },
    );
  };

  return {
    send(regression) {
      const done = deliver(regression)
        .catch((err: Error) =>
          log(`gilbench server: webhook alert for regression ${regression.id} not delivered: ${err.message}`),
        )
        .finally(() => pending.delete(done));
      pending.add(done);
    },
    async idle() {
      while (pending.size) await Promise.all([...pending]);
    },
  };
}
