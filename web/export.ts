/**
 * `gilbench export-site DIR [--server URL | --db FILE]`: writes the dashboard
 * as a static site, the way asv publishes: `index.html`, the bundle, and one
 * JSON file per API answer the read views ask for, under `data/`. Any static
 * host serves it (a folder on a web server, GitHub Pages, `python3 -m
 * http.server`); the pages find each answer at `staticDataFile(path, query)`.
 *
 * The exporter walks the data with the same `Api` class the pages use, so a
 * view that works live finds its files: every machine, its runs and series,
 * and then what each view in the registry (src/views/index.ts) says it reads
 * (`exportData`): each run's detail, scaling curves and every pair of its
 * modes compared, each run against the run before it, every series' history,
 * the regressions and notes.
 *
 * @example
 * await exportSite({ outDir: 'site', server: 'http://127.0.0.1:8080' });
 * // or straight from a database file, without a running server (the wiring
 * // room hands in `openDb`, the server's app opened in this process):
 * await exportSite({ outDir: 'site', db: 'gilbench.db', openDb });
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { UsageError } from '../harness/errors.ts';
import { retryAfterMs } from '../server/contract/retry-after.ts';
import { ensureWebBuilt } from './build.ts';
import { writePublished } from './export-published.ts';
import { DASHBOARD_META_CSP } from './serve.ts';
import { Api } from './src/api.ts';
import { ApiError, canonicalQuery, type DataSource, type Query, retryWhenBusy, staticDataFile } from './src/source.ts';
import { VIEWS } from './src/views/index.ts';

/**
 * Opens a database file as the server would serve it (`--public`), in this
 * process: a request function over its API, and a way to close it.
 * @example const { request, close } = await openDb('gilbench.db'); await request('/api/v1/machines');
 */
export type DbOpener = (
  db: string,
) => Promise<{ request(pathWithQuery: string): Response | Promise<Response>; close(): void | Promise<void> }>;

/** The Content-Security-Policy of exported pages, as a meta tag. */
export const CSP_META = `<meta http-equiv="Content-Security-Policy" content="${DASHBOARD_META_CSP}">`;

/** Fetches one API answer (path + canonical query) as parsed JSON. */
export type Fetcher = (pathWithQuery: string) => Promise<{ status: number; body: unknown; retryAfter?: string | null }>;

export interface ExportOptions {
  outDir: string;
  /** A running server's base URL. */
  server?: string;
  /** A database (a file or a postgres:// URL, as `gilbench server --db` takes), read through the server's app in this process (opened by `openDb`). */
  db?: string;
  /** Opens `db`; handed in by the wiring room, so the web never loads the server's code. */
  openDb?: DbOpener;
  /** A token for a private server (default: GILBENCH_TOKEN). */
  token?: string;
  /** Replace a non-empty `outDir` that holds an earlier export. */
  force?: boolean;
  /**
   * Where the site will be served (`https://host/path/`): the feeds' links point there.
   * Default: the exported `index.html` on this disk (a `file://` URL).
   */
  siteUrl?: string;
  log?: (line: string) => void;
}

export interface ExportSummary {
  outDir: string;
  files: number;
  bytes: number;
  machines: number;
  runs: number;
  series: number;
}

/** Marks a folder as ours, so `--force` never deletes a folder we did not write. */
const MARKER = 'gilbench-site.json';

/** Fetches from a live server over HTTP. */
export function httpFetcher(base: string, token?: string): Fetcher {
  let root: URL;
  try {
    root = new URL(base);
  } catch {
    throw new UsageError(`--server '${base}' is not a URL; give one like http://127.0.0.1:8080`);
  }
  const origin = root.toString().replace(/\/+$/, '');
  return async (pathWithQuery) => {
    const response = await fetch(`${origin}${pathWithQuery}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text ? JSON.parse(text) : null,
      retryAfter: response.headers.get('retry-after'),
    };
  };
}

/**
 * Reads a database through the server's own app, in this process (no port):
 * the answers are exactly those a `gilbench server --db DB` would give. The
 * opener (the wiring room's) says when `db` names nothing.
 */
export async function dbFetcher(
  db: string,
  openDb: DbOpener,
): Promise<{ fetcher: Fetcher; close(): void | Promise<void> }> {
  const { request, close } = await openDb(db);
  return {
    fetcher: async (pathWithQuery) => {
      const response = await request(pathWithQuery);
      const text = await response.text();
      return {
        status: response.status,
        body: text ? JSON.parse(text) : null,
        retryAfter: response.headers.get('retry-after'),
      };
    },
    close,
  };
}

/** A DataSource that fetches through `fetcher` and writes every answer to its static file. */
function recordingSource(
  fetcher: Fetcher,
  outDir: string,
  stats: { files: number; bytes: number },
): DataSource & { stop(): Promise<void> } {
  const written = new Map<string, Promise<unknown>>();
  let stopped = false;
  return {
    kind: 'static',
    // After a failure other walks are still in flight: stop them writing, and wait for the writes under way.
    async stop() {
      stopped = true;
      await Promise.allSettled(written.values());
    },
    get<T>(path: string, query?: Query): Promise<T> {
      if (stopped) return Promise.reject(new Error('the export stopped'));
      const file = staticDataFile(path, query);
      let pending = written.get(file);
      if (!pending) {
        pending = (async () => {
          const q = canonicalQuery(query);
          // A busy server (503) is asked again after its Retry-After, as the page does.
          const body = await retryWhenBusy(async () => {
            const answer = await fetcher(`${path}${q ? `?${q}` : ''}`);
            if (answer.status >= 200 && answer.status < 300) return answer.body;
            const b = answer.body as { error?: string; detail?: unknown } | null;
            const wait = retryAfterMs(answer.retryAfter ?? null, Date.now());
            throw new ApiError(answer.status, `${path}: ${b?.error ?? `HTTP ${answer.status}`}`, b?.detail, wait);
          });
          if (stopped) throw new Error('the export stopped');
          const text = JSON.stringify(body);
          const target = join(outDir, file);
          mkdirSync(dirname(target), { recursive: true });
          writeFileSync(target, text);
          // Its twin for a page opened from disk (page-source.ts); JSON is a JavaScript expression.
          const script = `(window.__gilbenchData??={})[${JSON.stringify(file)}]=${text};\n`;
          writeFileSync(`${target}.js`, script);
          stats.files += 2;
          stats.bytes += Buffer.byteLength(text) + Buffer.byteLength(script);
          return body;
        })();
        written.set(file, pending);
      }
      return pending as Promise<T>;
    },
    send(): Promise<never> {
      return Promise.reject(new Error('the exporter only reads'));
    },
  };
}

/** Runs `task` over `items`, at most `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Checks that `outDir` may be (re)placed by an export; changes nothing. */
function checkOutDir(outDir: string, force: boolean): void {
  if (!existsSync(outDir)) return;
  if (!statSync(outDir).isDirectory()) throw new UsageError(`${outDir} exists and is not a folder; choose another DIR`);
  const entries = readdirSync(outDir);
  if (entries.length === 0) return;
  if (!entries.includes(MARKER)) {
    throw new UsageError(`${outDir} is not empty and holds no earlier export; choose an empty or new DIR`);
  }
  if (!force) throw new UsageError(`${outDir} holds an earlier export; pass --force to replace it`);
}

/**
 * A fresh folder beside `outDir` to write the export into: renamed over
 * `outDir` only once it is complete, so an export that fails part-way leaves
 * `outDir` as it was (and the next export is not refused).
 */
function stagingDir(outDir: string): string {
  mkdirSync(dirname(outDir), { recursive: true });
  return mkdtempSync(join(dirname(outDir), `.${basename(outDir)}.partial-`));
}

/** Puts the complete export `staged` in place of `outDir` (an empty folder or an earlier export). */
function replaceOutDir(staged: string, outDir: string): void {
  if (!existsSync(outDir)) {
    renameSync(staged, outDir);
    return;
  }
  const old = `${staged}.old`;
  renameSync(outDir, old);
  renameSync(staged, outDir);
  rmSync(old, { recursive: true, force: true });
}

/** The site's absolute URL: `--site-url` checked, or the exported index.html as a file:// URL. */
function siteUrlOf(given: string | undefined, outDir: string): string {
  if (given === undefined) return pathToFileURL(join(outDir, 'index.html')).href;
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw new UsageError(
      `--site-url '${given}' is not a URL; give the site's address, like https://bench.example/gilbench/`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--site-url must be an http:// or https:// address, got ${url.protocol}`);
  }
  // A folder's URL ends with a slash, so the feed's file names resolve inside it.
  if (!url.pathname.endsWith('/') && !url.pathname.endsWith('.html')) url.pathname += '/';
  url.hash = '';
  return url.href;
}

/** A URL as a page may show it: no user, password, query or fragment. */
function withoutCredentials(address: string): string {
  try {
    const url = new URL(address);
    url.username = '';
    url.password = '';
    url.search = '';
    url.hash = '';
    // As given: URL adds a slash to a bare origin.
    return url.pathname === '/' && !address.endsWith('/') ? url.origin : url.href;
  } catch {
    return address;
  }
}

/** Text safe inside a double-quoted HTML attribute. */
function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Writes the static site; see the module's comment for what it contains. */
export async function exportSite(opts: ExportOptions): Promise<ExportSummary> {
  if (Boolean(opts.server) === Boolean(opts.db))
    throw new UsageError('give exactly one of --server URL or --db FILE|URL');
  const log = opts.log ?? (() => {});
  const outDir = resolve(opts.outDir);
  const siteUrl = siteUrlOf(opts.siteUrl, outDir);
  let close: () => void | Promise<void> = () => {};
  let staged: string | null = null;
  let source: ReturnType<typeof recordingSource> | null = null;
  let fetcher: Fetcher;
  if (opts.server) fetcher = httpFetcher(opts.server, opts.token ?? process.env.GILBENCH_TOKEN);
  else {
    if (!opts.openDb) throw new UsageError('--db needs the server in this process; use --server URL instead');
    const db = await dbFetcher(opts.db!, opts.openDb);
    fetcher = db.fetcher;
    close = db.close;
  }
  // Check the source answers before touching DIR: nothing is written on a bad --server.
  try {
    const probe = await fetcher('/api/v1/machines').catch((err: Error) => {
      throw new UsageError(`cannot read ${opts.server ?? opts.db}: ${err.message}; is the server running?`);
    });
    if (probe.status === 401 || probe.status === 403) {
      throw new UsageError('the server refused to share its data; start it with --public or set GILBENCH_TOKEN');
    }
    if (probe.status !== 200)
      throw new UsageError(
        `the server answered HTTP ${probe.status} to /api/v1/machines; is ${opts.server ?? opts.db} a gilbench server?`,
      );

    checkOutDir(outDir, Boolean(opts.force));
    staged = stagingDir(outDir);
    const stats = { files: 0, bytes: 0 };
    source = recordingSource(fetcher, staged, stats);
    const api = new Api(source);
    const machines = await api.machines();
    log(`export: ${machines.length} machine(s)`);
    // Each view in the registry asks for the answers it reads; the source writes each answer once.
    for (const view of VIEWS) await view.exportData?.site?.(api);
    let runCount = 0;
    let seriesCount = 0;
    for (const machine of machines) {
      const [runs, series] = await Promise.all([
        api.runs({ machine: machine.id }),
        api.series({ machine: machine.id }),
      ]);
      runCount += runs.length;
      seriesCount += series.length;
      log(`export: ${machine.hostname}: ${runs.length} run(s), ${series.length} series`);
      const walk = { api, machine, runs, series, each: eachLimited };
      for (const view of VIEWS) await view.exportData?.machine?.(walk);
    }
    // The feeds and badges, at the paths the server serves them.
    const published = await writePublished(api, machines, { dir: staged, siteUrl, now: Date.now() });
    log(`export: ${published} feed and badge files, linking to ${siteUrl}`);

    const distDir = await ensureWebBuilt();
    for (const name of ['app.js', 'style.css']) copyFileSync(join(distDir, name), join(staged, name));
    const exportedAt = new Date();
    const from = opts.server
      ? withoutCredentials(opts.server)
      : `database ${basename(opts.db!.replace(/[?#].*$/, ''))}`;
    const stamp = `${exportedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC from ${from}`;
    const index = readFileSync(join(distDir, 'index.html'), 'utf8')
      .replace(
        '<meta name="gilbench-data" content="api">',
        `<meta name="gilbench-data" content="static">\n<meta name="gilbench-exported" content="${escapeAttribute(stamp)}">`,
      )
      // A module script does not run from file:// (browsers ask CORS of it); the bundle has no
      // imports or exports and runs the same as a classic deferred script.
      .replace('<script type="module" src="app.js"></script>', '<script defer src="app.js"></script>')
      // A static host sends no CSP header: the page carries the live server's policy itself,
      // first in <head>, before anything it could apply to is loaded.
      .replace('<meta charset="utf-8">', `<meta charset="utf-8">\n${CSP_META}`);
    if (!index.includes('content="static"')) throw new Error('index.html lacks the gilbench-data meta tag');
    if (!index.includes('<script defer src="app.js">')) throw new Error('index.html lacks its app.js script tag');
    if (!index.includes(CSP_META)) throw new Error('index.html lacks <meta charset="utf-8"> to put the CSP after');
    writeFileSync(join(staged, 'index.html'), index);
    writeFileSync(
      join(staged, MARKER),
      `${JSON.stringify({ exportedAt: exportedAt.toISOString(), source: from, files: stats.files }, null, 1)}\n`,
    );
    replaceOutDir(staged, outDir);
    staged = null;
    return {
      outDir,
      files: stats.files + 4 + published,
      bytes: stats.bytes,
      machines: machines.length,
      runs: runCount,
      series: seriesCount,
    };
  } finally {
    await source?.stop();
    await close();
    if (staged) rmSync(staged, { recursive: true, force: true });
  }
}

/** Adds `gilbench export-site DIR [--server URL | --db FILE|postgres://…] [--force]`; `--db` reads through `openDb`. */
export function registerExportCommand(program: Command, wiring: { openDb?: DbOpener } = {}): void {
  program
    .command('export-site')
    .description('write the dashboard as a static site (HTML, JS, JSON data) for any static host')
    .argument('<dir>', 'folder to write (new, empty, or an earlier export with --force)')
    .option('--server <url>', 'read from a running gilbench server')
    .option(
      '--db <file|url>',
      'read from a gilbench database: a SQLite file or a postgres:// URL, as gilbench server --db takes',
    )
    .option('--force', 'replace an earlier export in DIR')
    .option(
      '--site-url <url>',
      "where the site will be served: the feeds' links point there (default: DIR on this disk)",
    )
    .action(async (dir: string, opts: { server?: string; db?: string; force?: boolean; siteUrl?: string }) => {
      const started = performance.now();
      const summary = await exportSite({
        outDir: dir,
        server: opts.server,
        db: opts.db,
        openDb: wiring.openDb,
        force: opts.force,
        siteUrl: opts.siteUrl,
        log: (line) => process.stderr.write(`${line}\n`),
      });
      console.log(
        `exported ${summary.machines} machine(s), ${summary.runs} run(s), ${summary.series} series: ${summary.files} files, ${(summary.bytes / 1024).toFixed(0)} KiB of data, to ${summary.outDir} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
      console.log(`serve it with any static file server, e.g. python3 -m http.server -d ${dir}`);
    });
}
