/**
 * Vitest global setup for the browser tests (wire with `globalSetup: ['web/test/global-setup.ts']`):
 * installs chromium when missing (web/install-chromium.sh, with progress) and builds the bundle once.
 */
import { ensureWebBuilt } from '../build.ts';
import { ensureChromium } from './browser.ts';

export default async function setup(): Promise<void> {
  ensureChromium();
  await ensureWebBuilt();
}
