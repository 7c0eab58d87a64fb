/**
 * Debian's chromium driven by playwright-core, with the flags this project's
 * machines need (no sandbox as root, no GPU, no background traffic) and a
 * fresh profile folder per launch. `ensureChromium()` runs
 * `web/install-chromium.sh` (idempotent) when the browser is missing.
 *
 * @example
 * const browser = await launchChromium();
 * const page = await browser.newPage();
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.GILBENCH_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const INSTALLER = fileURLToPath(new URL('../install-chromium.sh', import.meta.url));

/** Installs chromium with apt when it is missing (prints progress); a no-op otherwise. */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  execFileSync('sh', [INSTALLER], { stdio: 'inherit', env: { ...process.env, CHROMIUM } });
}

export interface LaunchedBrowser {
  context: BrowserContext;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/**
 * A persistent context on a fresh `--user-data-dir` (removed on close).
 * Console errors and page errors of every page are collected in `errors`.
 */
export async function launchChromium(
  opts: { errors?: string[]; viewport?: { width: number; height: number } } = {},
): Promise<LaunchedBrowser> {
  ensureChromium();
  const profile = mkdtempSync(join(tmpdir(), 'gilbench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: opts.viewport ?? { width: 1280, height: 900 },
  });
  const watch = (page: Page) => {
    page.on('pageerror', (err) => opts.errors?.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') opts.errors?.push(`console: ${msg.text()}`);
    });
    page.on('dialog', (dialog) => {
      opts.errors?.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
  };
  context.on('page', watch);
  return {
    context,
    newPage: () => context.newPage(),
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export type { Browser, Page };
