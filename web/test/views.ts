/**
 * Opening a dashboard view and waiting until it is drawn: `main.ts` sets
 * `body[data-ready=VIEW]` once a view's data is in and its charts are made,
 * so tests and benchmarks wait for that mark, never for a fixed time.
 *
 * @example
 * await openView(page, server.url, '#/compare?run=…');   // waits for body[data-ready="compare"]
 * await waitForView(page, '#/trends');                    // after a click that navigates
 */
import type { Page } from './browser.ts';

/** How long a view may take to be drawn on a busy 2-core machine before the test says so. */
export const VIEW_TIMEOUT_MS = 60_000;

/** The view a location hash names: `#/compare?run=1` → `compare`; an empty hash is the overview. */
export function viewOf(hash: string): string {
  return hash.replace(/^#\//, '').split('?')[0] || 'overview';
}

/** Waits until the view `hash` names is drawn. */
export async function waitForView(page: Page, hash: string, timeoutMs = VIEW_TIMEOUT_MS): Promise<void> {
  await page.waitForSelector(`body[data-ready="${viewOf(hash)}"]`, { timeout: timeoutMs });
}

/** Goes to `base/hash` (a server's URL, or an exported site's folder served over HTTP) and waits until the view is drawn. */
export async function openView(page: Page, base: string, hash: string, timeoutMs = VIEW_TIMEOUT_MS): Promise<void> {
  await page.goto(`${base.replace(/\/$/, '')}/${hash}`);
  await waitForView(page, hash, timeoutMs);
}
