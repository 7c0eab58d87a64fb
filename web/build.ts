/**
 * Builds the dashboard: esbuild bundles `web/src/main.ts` (with chart.js and
 * its plugins) into `web/dist/app.js`, next to copies of `index.html` and
 * `style.css`. `web/dist/` is generated, never committed; the server, the
 * exporter and the tests call `ensureWebBuilt()`, which rebuilds only when a
 * source is newer than the bundle.
 *
 * @example
 * const distDir = await ensureWebBuilt(); // '/…/web/dist'
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const WEB_DIR = fileURLToPath(new URL('.', import.meta.url));
export const DIST_DIR = resolve(WEB_DIR, 'dist');

/** The files of a built dashboard; `index.html` refers to the others relatively. */
export const DIST_FILES = ['index.html', 'app.js', 'style.css'] as const;

const STATIC_SOURCES = ['index.html', 'style.css'];

function newestSourceMtime(webDir: string): number {
  let newest = 0;
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
        newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  visit(join(webDir, 'src'));
  for (const name of STATIC_SOURCES) newest = Math.max(newest, statSync(join(webDir, name)).mtimeMs);
  // A changed dependency (npm install) also means a new bundle.
  const lock = resolve(webDir, '..', 'package-lock.json');
  if (existsSync(lock)) newest = Math.max(newest, statSync(lock).mtimeMs);
  return newest;
}

function builtMtime(distDir: string): number {
  let oldest = Number.POSITIVE_INFINITY;
  for (const name of DIST_FILES) {
    const path = join(distDir, name);
    if (!existsSync(path)) return 0;
    oldest = Math.min(oldest, statSync(path).mtimeMs);
  }
  return oldest;
}

/** Whether `dist/` is missing a file or older than a source. */
export function webBuildIsStale(webDir = WEB_DIR, distDir = resolve(webDir, 'dist')): boolean {
  return builtMtime(distDir) < newestSourceMtime(webDir);
}

export interface BuildOptions {
  webDir?: string;
  outDir?: string;
  /** Minify (default true); a readable bundle helps while debugging. */
  minify?: boolean;
}

/**
 * Bundles the dashboard unconditionally. Writes into a fresh folder first and
 * renames it into place, so a server reading `dist/` never sees half a build.
 */
export async function buildWeb(opts: BuildOptions = {}): Promise<string> {
  const webDir = opts.webDir ?? WEB_DIR;
  const outDir = opts.outDir ?? resolve(webDir, 'dist');
  const staging = `${outDir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(staging, { recursive: true });
  try {
    await build({
      entryPoints: [join(webDir, 'src', 'main.ts')],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: ['chrome100', 'firefox100', 'safari15'],
      minify: opts.minify ?? true,
      sourcemap: 'linked',
      outfile: join(staging, 'app.js'),
      logLevel: 'warning',
      legalComments: 'linked',
    });
    for (const name of STATIC_SOURCES) copyFileSync(join(webDir, name), join(staging, name));
    const old = `${outDir}.old-${process.pid}-${Date.now()}`;
    if (existsSync(outDir)) renameSync(outDir, old);
    renameSync(staging, outDir);
    rmSync(old, { recursive: true, force: true });
    return outDir;
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}

let pending: Promise<string> | null = null;

/**
 * Builds `web/dist/` when it is missing or older than its sources; returns its path.
 * Concurrent callers in one process share one build.
 */
export async function ensureWebBuilt(opts: BuildOptions = {}): Promise<string> {
  const webDir = opts.webDir ?? WEB_DIR;
  const outDir = opts.outDir ?? resolve(webDir, 'dist');
  if (!webBuildIsStale(webDir, outDir)) return outDir;
  pending ??= buildWeb(opts).finally(() => {
    pending = null;
  });
  return pending;
}

// `tsx web/build.ts` builds once (npm run build:web).
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const dir = await buildWeb({ minify: !process.argv.includes('--no-minify') });
  const size = statSync(join(dir, 'app.js')).size;
  console.log(
    `web: built ${dir} (app.js ${(size / 1024).toFixed(0)} KiB) in ${(performance.now() - started).toFixed(0)} ms`,
  );
}
