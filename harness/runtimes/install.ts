/**
 * Install: build the default and the free-threaded (`--disable-gil`) CPython
 * from one source into gilbench's cache.
 *
 * Each variant is configured with its final prefix, built in a scratch folder,
 * installed into a staging folder (DESTDIR), renamed into place, and only then
 * marked installed (`<prefix>/gilbench-runtime.json`). A prefix without the
 * marker is an unfinished build: it is removed and built again. A lock file per
 * source keeps two installs from building the same thing at once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, rmSync, type WriteStream } from 'node:fs';
import { cp, mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.ts';
import { BuildKind, defaultCacheDir, type RuntimeMarker, readMarker, type Variant, writeMarker } from './cache.ts';
import { type DebianRelease, isServed, listDebianReleases, pickRelease, RELEASE_SUITES } from './debian-releases.ts';
import { DebianSourceError, downloadDebianSource, isDebianFamily, updatePrivateApt } from './debian-source.ts';
import { compareVersions } from './modes.ts';
import { sha256File } from './probe.ts';

/** The PGO training task of release builds: CPython's own, surviving a flaky test (see pgo-task.py). */
const PGO_TASK = fileURLToPath(new URL('./pgo-task.py', import.meta.url));
/** Compiled objects in one pass of a 3.13.5 build, when the source tree cannot be asked (see countObjects). */
const FALLBACK_OBJECTS = 354;

type Env = Record<string, string | undefined>;

/** What `gilbench runtimes install <spec>` asks for. */
export interface RuntimeSpec {
  spec: string;
  implementation: 'cpython';
  /** `3.13`: the source must be a 3.13.x release; null (`cpython` with --source): any CPython >= 3.13. */
  minor: string | null;
  /** `3.13.15` for an exact release; null for the newest of a minor. */
  exact: string | null;
  /** Debian source package looked up when no --source is given, e.g. `python3.13`. */
  debianPackage: string | null;
}

/** The oldest CPython with a free-threaded build. */
const OLDEST_MINOR = [3, 13];

/**
 * Minor versions whose source the first Debian suite (trixie) carries, so `cpython@X.Y` builds
 * without naming a release; any other release >= 3.13 is `cpython@X.Y.Z` or `--source`.
 */
export const INSTALLABLE_MINORS: readonly string[] = ['3.13'];

const SPEC_FORMS = 'cpython@X.Y or cpython@X.Y.Z (3.13 and later; `gilbench runtimes available` lists them)';

/**
 * Parse an install spec; a malformed or too old one is a UsageError saying what is accepted.
 * @example parseRuntimeSpec('cpython@3.13.15').exact === '3.13.15'
 */
export function parseRuntimeSpec(spec: string): RuntimeSpec {
  const text = spec.trim().toLowerCase();
  if (text === 'cpython')
    return { spec: text, implementation: 'cpython', minor: null, exact: null, debianPackage: null };
  const match = text.match(/^cpython@(\d+)\.(\d+)(\.\d+(?:(?:a|b|rc)\d+)?)?$/);
  const major = Number(match?.[1]);
  const minorNumber = Number(match?.[2]);
  if (!match || major < OLDEST_MINOR[0]! || (major === OLDEST_MINOR[0] && minorNumber < OLDEST_MINOR[1]!)) {
    throw new UsageError(`unknown runtime '${spec}'; installable runtimes: ${SPEC_FORMS}`);
  }
  const minor = `${major}.${minorNumber}`;
  return {
    spec: text,
    implementation: 'cpython',
    minor,
    exact: match[3] ? `${minor}${match[3]}` : null,
    debianPackage: `python${minor}`,
  };
}

/** Whether a CPython `version` is what the spec asks for. */
function specAccepts(spec: RuntimeSpec, version: string): boolean {
  if (spec.exact) return version === spec.exact;
  if (spec.minor) return version.startsWith(`${spec.minor}.`);
  return compareVersions(version, OLDEST_MINOR.join('.')) >= 0;
}

function specWants(spec: RuntimeSpec): string {
  return spec.exact ?? (spec.minor ? `${spec.minor}.x` : `${OLDEST_MINOR.join('.')} or later`);
}

export type InstallPhase = 'fetch' | 'extract' | 'configure' | 'make' | 'train' | 'install';

/** Progress of an install, for a display (see progress.ts). */
export type InstallEvent =
  | { type: 'phase'; variant: Variant | null; phase: InstallPhase }
  | { type: 'objects'; variant: Variant; compiled: number; expected: number }
  /** PGO training (release builds): `done` of `total` tests of the training run. */
  | { type: 'training'; variant: Variant; done: number; total: number; test: string }
  | { type: 'variant-done'; variant: Variant; prefix: string }
  | { type: 'note'; text: string };

export interface InstallOptions {
  /** A CPython source tarball, folder or git checkout; default: Debian's source package (Debian-family systems only). */
  source?: string;
  /** `fast` (default) or `release` (PGO + LTO). */
  build?: BuildKind;
  /** Parallel make jobs; default: the CPUs this process may use. */
  jobs?: number;
  cacheDir?: string;
  /** Environment for configure and make; default process.env. */
  env?: Env;
  onEvent?: (event: InstallEvent) => void;
  /** How long to wait for another install of the same source (default 2 h). */
  lockWaitMs?: number;
}

export interface InstalledVariant {
  variant: Variant;
  prefix: string;
  /** `bin/python3.13` or `bin/python3.13t` inside the prefix. */
  executable: string;
  marker: RuntimeMarker;
}

export interface InstallResult {
  /** True when nothing had to be built. */
  alreadyInstalled: boolean;
  version: string;
  buildKind: BuildKind;
  /** `<cache>/cpython/<version>-<12 hex>` */
  root: string;
  variants: InstalledVariant[];
  /** Full build output; null when nothing was built. */
  logFile: string | null;
}

/** A build failed; nothing half-installed was left behind. */
export class InstallError extends Error {
  override name = 'InstallError';
  constructor(
    message: string,
    readonly logFile: string,
  ) {
    super(message);
  }
}

const VARIANTS: readonly Variant[] = ['default', 'freethreaded'];
const DEFAULT_LOCK_WAIT_MS = 2 * 60 * 60 * 1000;

interface ResolvedSource {
  kind: 'tarball' | 'dir';
  path: string;
  sha256: string;
  /** What the marker records as `source`. */
  description: string;
  /** Debian suite it was fetched from. */
  debianSuite?: string;
  /** `git describe` of a git checkout. */
  revision?: string;
}

/**
 * Build and install the default and free-threaded variants of `spec` into the cache.
 * Returns at once (alreadyInstalled) when both are there.
 * @example
 * const result = await installRuntime('cpython@3.13.15', { jobs: 2, build: 'fast' });
 * result.variants.map((v) => v.executable); // [.../default/bin/python3.13, .../freethreaded/bin/python3.13t]
 */
export async function installRuntime(specText: string, opts: InstallOptions = {}): Promise<InstallResult> {
  const spec = parseRuntimeSpec(specText);
  const buildKind = BuildKind.parse(opts.build ?? 'fast');
  const jobs = opts.jobs ?? availableParallelism();
  if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError(`--jobs must be a whole number >= 1, not ${jobs}`);
  if (!opts.source && !spec.debianPackage) {
    throw new UsageError(`'${spec.spec}' names no release; pass cpython@X.Y[.Z] or --source TARBALL|DIR|GIT-CHECKOUT`);
  }
  const env = opts.env ?? process.env;
  const cacheDir = opts.cacheDir ?? defaultCacheDir(env);
  const emit = opts.onEvent ?? (() => {});

  const installLog = new InstallLog(
    path.join(cacheDir, 'logs'),
    `${spec.implementation}-${spec.exact ?? spec.minor ?? 'source'}${buildKind === 'release' ? '-release' : ''}`,
  );
  const scratch = path.join(cacheDir, 'tmp', `fetch-${process.pid}-${randomBytes(4).toString('hex')}`);

  try {
    let source: ResolvedSource;
    if (opts.source) {
      source = await resolveGivenSource(opts.source);
    } else {
      const debianBuild = await findDebianBuild(specText, cacheDir, buildKind);
      if (debianBuild) return debianBuild;
      if (!isDebianFamily()) {
        throw new UsageError(`no CPython source to build ${spec.spec} from on this system; pass --source TARBALL|DIR`);
      }
      emit({ type: 'phase', variant: null, phase: 'fetch' });
      source = await fetchFromDebian(spec, cacheDir, scratch, opts.lockWaitMs, await installLog.open());
    }
    const sameSource = await findInstalled(
      cacheDir,
      spec,
      (m) => m.sourceSha256 === source.sha256 && m.buildKind === buildKind,
    );
    if (sameSource) return sameSource;
    const version = await readSourceVersion(source);
    if (!specAccepts(spec, version)) {
      throw new UsageError(
        `${source.path} is CPython ${version}, not ${specWants(spec)}; pass a ${specWants(spec)} source`,
      );
    }

    const key = `${version}-${source.sha256.slice(0, 12)}${buildKind === 'release' ? '-release' : ''}`;
    const root = path.join(cacheDir, 'cpython', key);
    const lockFile = path.join(cacheDir, 'locks', `${spec.implementation}-${key}.lock`);
    const release = await acquireLock(lockFile, opts.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS, (holder) =>
      emit({ type: 'note', text: `waiting for another install (pid ${holder}) of ${key}` }),
    );
    try {
      let built = false;
      for (const variant of VARIANTS) {
        const prefix = path.join(root, variant);
        if (await installedVariant(prefix, variant)) continue;
        const opened = await installLog.open();
        await buildVariant({
          spec,
          source,
          version,
          variant,
          prefix,
          cacheDir,
          key,
          jobs,
          env,
          emit,
          buildKind,
          ...opened,
        });
        built = true;
      }
      const variants = await Promise.all(VARIANTS.map((v) => installedVariant(path.join(root, v), v)));
      return {
        alreadyInstalled: !built,
        version,
        buildKind,
        root,
        variants: variants.filter((v): v is InstalledVariant => v !== null),
        logFile: built ? installLog.file : null,
      };
    } finally {
      await release();
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
    await installLog.close();
  }
}

/**
 * The cached build `installRuntime(spec)` without `--source` returns without
 * building or fetching: a complete build of the spec's Debian package and build
 * kind (an exact release: that release; a minor: the most stable suite's, then
 * the newest build); null when there is none.
 * @example (await findDebianBuild('cpython@3.13'))?.variants[1]!.executable // .../freethreaded/bin/python3.13t
 */
export async function findDebianBuild(
  specText: string,
  cacheDir: string = defaultCacheDir(),
  buildKind: BuildKind = 'fast',
): Promise<InstallResult | null> {
  const spec = parseRuntimeSpec(specText);
  if (!spec.debianPackage) return null;
  const suiteRank = (m: RuntimeMarker) => {
    const rank = RELEASE_SUITES.indexOf(m.debianSuite ?? RELEASE_SUITES[0]!);
    return rank < 0 ? RELEASE_SUITES.length : rank;
  };
  return findInstalled(
    cacheDir,
    spec,
    (m) => m.source.startsWith(`debian:${spec.debianPackage} `) && m.buildKind === buildKind,
    (a, b) => suiteRank(a) - suiteRank(b),
  );
}

/** The install's log file, created when there is first something to write. */
class InstallLog {
  file: string | null = null;
  private stream: WriteStream | null = null;
  constructor(
    private readonly dir: string,
    private readonly name: string,
  ) {}

  async open(): Promise<{ log: WriteStream; logFile: string }> {
    if (!this.stream || !this.file) {
      await mkdir(this.dir, { recursive: true });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      this.file = path.join(this.dir, `${this.name}-${stamp}-${process.pid}-${randomBytes(2).toString('hex')}.log`);
      this.stream = createWriteStream(this.file, { flags: 'a' });
    }
    return { log: this.stream, logFile: this.file };
  }

  async close(): Promise<void> {
    const stream = this.stream;
    this.stream = null;
    if (stream) await new Promise((resolve) => stream.end(resolve));
  }
}

/**
 * Look the spec up in the Debian suites' indexes (a private apt state kept in the cache, so later
 * lookups only fetch what changed), check the mirror serves it, and download it.
 */
async function fetchFromDebian(
  spec: RuntimeSpec,
  cacheDir: string,
  scratch: string,
  lockWaitMs: number | undefined,
  { log, logFile }: { log: WriteStream; logFile: string },
): Promise<ResolvedSource> {
  const release = await acquireLock(path.join(cacheDir, 'locks', 'apt.lock'), lockWaitMs ?? DEFAULT_LOCK_WAIT_MS);
  try {
    const apt = await updatePrivateApt({ aptDir: path.join(cacheDir, 'apt'), suites: RELEASE_SUITES, log });
    const found = pickRelease(await listDebianReleases(apt), spec.exact ?? spec.minor!);
    if (!found || found.packageName !== spec.debianPackage) {
      throw new UsageError(
        `CPython ${specWants(spec)} is in none of Debian's ${RELEASE_SUITES.join(', ')} indexes; \`gilbench runtimes available\` lists what can be installed, or pass --source TARBALL|DIR|GIT-CHECKOUT`,
      );
    }
    if (!(await isServed(apt.mirror, found))) throw notServed(found);
    const fetched = await downloadDebianSource(apt, {
      packageName: found.packageName,
      debianVersion: found.debianVersion,
      downloadDir: path.join(scratch, 'download'),
      log,
    });
    const sha256 = await sha256File(fetched.tarball);
    return {
      kind: 'tarball',
      path: fetched.tarball,
      sha256,
      description: fetched.description,
      debianSuite: found.suite,
    };
  } catch (err) {
    if (err instanceof DebianSourceError) throw new InstallError(`${err.message}; log: ${logFile}`, logFile);
    throw err;
  } finally {
    await release();
  }
}

/** The one line for a release an index lists but the mirror does not serve. */
export function notServed(release: DebianRelease): UsageError {
  return new UsageError(
    `CPython ${release.upstreamVersion} is listed in Debian ${release.suite}, but its source cannot be downloaded here; pass --source with a CPython ${release.upstreamVersion} tarball, folder or git checkout`,
  );
}

interface BuildContext {
  spec: RuntimeSpec;
  source: ResolvedSource;
  version: string;
  variant: Variant;
  prefix: string;
  cacheDir: string;
  key: string;
  jobs: number;
  env: Env;
  emit: (event: InstallEvent) => void;
  buildKind: BuildKind;
  log: WriteStream;
  logFile: string;
}

async function buildVariant(ctx: BuildContext): Promise<void> {
  const { variant, prefix, emit, log } = ctx;
  const work = path.join(ctx.cacheDir, 'build', `${ctx.spec.implementation}-${ctx.key}-${variant}`);
  const stage = path.join(work, 'stage');
  const configureArgs = [
    `--prefix=${prefix}`,
    '--without-ensurepip',
    ...(variant === 'freethreaded' ? ['--disable-gil'] : []),
    ...(ctx.buildKind === 'release' ? ['--enable-optimizations', '--with-lto'] : []),
  ];
  const started = Date.now();
  const loadAtStart = loadavg()[0]!;
  let phase: InstallPhase = 'extract';
  const running = new Set<ChildProcess>();

  // Ctrl-C: stop the build and leave no scratch folder or unfinished prefix behind.
  const onSignal = (signal: NodeJS.Signals) => {
    for (const child of running) child.kill(signal);
    rmSync(work, { recursive: true, force: true });
    if (!existsSync(path.join(prefix, 'gilbench-runtime.json'))) rmSync(prefix, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    if (existsSync(prefix)) {
      emit({ type: 'note', text: `removing unfinished build at ${prefix}` });
      await rm(prefix, { recursive: true, force: true });
    }
    await rm(work, { recursive: true, force: true });
    await mkdir(work, { recursive: true });
    log.write(`\n=== ${ctx.spec.implementation} ${ctx.version} ${variant} from ${ctx.source.description} ===\n`);

    emit({ type: 'phase', variant, phase });
    const src = await extractSource(ctx.source, work, ctx.env, log, running);

    const step = async (next: InstallPhase, cmd: string, args: string[], onLine?: (line: string) => void) => {
      phase = next;
      emit({ type: 'phase', variant, phase });
      await runLogged(cmd, args, { cwd: src, env: ctx.env, log, running, onLine });
    };
    await step('configure', './configure', configureArgs);
    // A release build compiles everything twice: instrumented for the training run, then optimized.
    const passes = ctx.buildKind === 'release' ? 2 : 1;
    const expected = passes * ((await countObjects(src, ctx.env)) ?? FALLBACK_OBJECTS);
    let compiled = 0;
    const makeArgs = [`-j${ctx.jobs}`];
    // Our training task replaces CPython's PROFILE_TASK: the same tests, but a failing one is logged, not fatal.
    if (ctx.buildKind === 'release') makeArgs.push(`PROFILE_TASK=${PGO_TASK}`);
    await step('make', 'make', makeArgs, (line) => {
      if (isCompileLine(line)) {
        compiled++;
        if (phase === 'train') {
          phase = 'make';
          emit({ type: 'phase', variant, phase });
        }
        emit({ type: 'objects', variant, compiled, expected });
        return;
      }
      const training = parseTrainingLine(line);
      if (!training) return;
      if (phase !== 'train') {
        phase = 'train';
        emit({ type: 'phase', variant, phase });
      }
      emit({ type: 'training', variant, ...training });
    });
    await step('install', 'make', ['install', `DESTDIR=${stage}`]);

    const staged = path.join(stage, prefix);
    if (!existsSync(staged)) throw new Error(`make install put nothing under ${staged}`);
    await mkdir(path.dirname(prefix), { recursive: true });
    await rename(staged, prefix);
    await writeMarker(prefix, {
      variant,
      version: ctx.version,
      source: ctx.source.description,
      sourceSha256: ctx.source.sha256,
      configureArgs: configureArgs.join(' '),
      builtAt: new Date().toISOString(),
      buildKind: ctx.buildKind,
      ...(ctx.source.debianSuite ? { debianSuite: ctx.source.debianSuite } : {}),
      ...(ctx.source.revision ? { revision: ctx.source.revision } : {}),
      buildSeconds: Math.round((Date.now() - started) / 1000),
      loadAtStart: Math.round(loadAtStart * 100) / 100,
    });
    log.write(
      `\n=== ${variant} (${ctx.buildKind}) built in ${Math.round((Date.now() - started) / 1000)} s; load average at start ${loadAtStart.toFixed(2)} ===\n`,
    );
    emit({ type: 'variant-done', variant, prefix });
  } catch (err) {
    // Nothing half-installed: a prefix without its marker goes, and so does the scratch folder.
    if (!(await readMarker(prefix))) await rm(prefix, { recursive: true, force: true });
    const reason = err instanceof Error ? err.message : String(err);
    log.write(`\n=== FAILED in ${phase}: ${reason} ===\n`);
    throw new InstallError(
      `building ${ctx.spec.implementation} ${ctx.version} (${variant}) failed during ${phase} (${reason}); full log: ${ctx.logFile}`,
      ctx.logFile,
    );
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * A progress line of CPython's test runner in the PGO training run, e.g.
 * `0:01:02 load avg: 1.95 [ 7/44] test_generators`.
 * @example parseTrainingLine('0:00:05 load avg: 1.2 [ 3/44] test_array') // { done: 3, total: 44, test: 'test_array' }
 */
export function parseTrainingLine(line: string): { done: number; total: number; test: string } | null {
  // `[40/44/1]`: the third number counts the failures so far.
  const m = line.match(/\[\s*(\d+)\/(\d+)(?:\/\d+)?\]\s+(test_\w+)/);
  return m ? { done: Number(m[1]), total: Number(m[2]), test: m[3]! } : null;
}

/**
 * Objects one pass of this configured source tree compiles, from a dry run of make
 * (`make -n build_all`), so the estimate follows the release being built; null when make cannot say.
 */
async function countObjects(src: string, env: Env): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn('make', ['-n', 'build_all'], { cwd: src, env, stdio: ['ignore', 'pipe', 'ignore'] });
    let count = 0;
    let partial = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (isCompileLine(line)) count++;
    });
    child.on('error', () => resolve(null));
    child.on('close', (code) => resolve(code === 0 && count > 0 ? count : null));
  });
}

/** A line of make output that compiles one object file. */
export function isCompileLine(line: string): boolean {
  return /\s-c\s/.test(line) && /\s-o\s+\S+\.o(\s|$)/.test(line);
}

async function extractSource(
  source: ResolvedSource,
  work: string,
  env: Env,
  log: WriteStream,
  running: Set<ChildProcess>,
): Promise<string> {
  const into = path.join(work, 'src');
  await mkdir(into, { recursive: true });
  if (source.kind === 'dir') {
    // A copy, so the user's tree gets no build products; .git is big and not needed.
    await cp(source.path, into, { recursive: true, filter: (from) => path.basename(from) !== '.git' });
    return into;
  }
  await runLogged('tar', ['-xf', source.path, '-C', into], { cwd: work, env, log, running });
  // Release tarballs hold one top folder (Python-3.13.5/); a flat one is the source itself.
  const entries = await readdir(into);
  if (entries.length === 1 && !existsSync(path.join(into, 'configure'))) return path.join(into, entries[0]!);
  return into;
}

interface RunOptions {
  cwd: string;
  env: Env;
  log: WriteStream;
  running: Set<ChildProcess>;
  onLine?: (line: string) => void;
}

function runLogged(cmd: string, args: string[], opts: RunOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    opts.log.write(`$ ${cmd} ${args.join(' ')}\n`);
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    opts.running.add(child);
    let partial = '';
    child.stdout.on('data', (chunk: Buffer) => {
      opts.log.write(chunk);
      if (!opts.onLine) return;
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) opts.onLine(line);
    });
    child.stderr.on('data', (chunk: Buffer) => opts.log.write(chunk));
    child.on('error', (err) => {
      opts.running.delete(child);
      reject(new Error(`${cmd} could not start: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      opts.running.delete(child);
      if (partial && opts.onLine) opts.onLine(partial);
      if (code === 0) resolve();
      else reject(new Error(signal ? `${cmd} killed by ${signal}` : `${cmd} exited with ${code}`));
    });
  });
}

async function resolveGivenSource(given: string): Promise<ResolvedSource> {
  const resolved = path.resolve(given);
  const info = await stat(resolved).catch(() => null);
  if (!info) throw new UsageError(`--source ${given} does not exist; pass a CPython source tarball or folder`);
  if (info.isFile()) {
    return { kind: 'tarball', path: resolved, sha256: await sha256File(resolved), description: resolved };
  }
  if (!info.isDirectory()) throw new UsageError(`--source ${given} is neither a file nor a folder`);
  if (!existsSync(path.join(resolved, 'configure'))) {
    throw new UsageError(`--source ${given} has no configure script; pass the top folder of a CPython source tree`);
  }
  // A git tree is known by its commit; any other folder by its path and modification time.
  const head = await gitHead(resolved);
  const identity = head ? `git:${head}` : `dir:${resolved}:${info.mtimeMs}`;
  const revision = head ? await gitDescribe(resolved) : null;
  return {
    kind: 'dir',
    path: resolved,
    sha256: createHash('sha256').update(identity).digest('hex'),
    description: head ? `${resolved} (git ${head})` : resolved,
    ...(revision ? { revision } : {}),
  };
}

function gitHead(dir: string): Promise<string | null> {
  return new Promise((resolve) => {
    const child = spawn('git', ['-C', dir, 'rev-parse', '--show-toplevel', 'HEAD'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.on('error', () => resolve(null));
    child.on('close', (code) => {
      const [top, head] = out.trim().split('\n');
      // Only the top of a work tree: a source folder inside some other repository is not that repository.
      resolve(code === 0 && top === dir && head ? head : null);
    });
  });
}

/** `git describe --tags --always --dirty` of a checkout (e.g. `v3.14.0-12-gabc1234`), or null. */
function gitDescribe(dir: string): Promise<string | null> {
  return new Promise((resolve) => {
    const child = spawn('git', ['-C', dir, 'describe', '--tags', '--always', '--dirty'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.on('error', () => resolve(null));
    child.on('close', (code) => resolve(code === 0 && out.trim() ? out.trim() : null));
  });
}

/** The CPython version a source declares in Include/patchlevel.h. */
async function readSourceVersion(source: ResolvedSource): Promise<string> {
  let text: string;
  if (source.kind === 'dir') {
    text = await readFile(path.join(source.path, 'Include', 'patchlevel.h'), 'utf8').catch(() => '');
  } else {
    text = await new Promise<string>((resolve) => {
      const child = spawn('tar', ['-xOf', source.path, '--wildcards', '--no-anchored', 'Include/patchlevel.h'], {
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
      });
      child.on('error', () => resolve(''));
      child.on('close', () => resolve(out));
    });
  }
  const version = text.match(/#define\s+PY_VERSION\s+"([^"]+)"/)?.[1];
  if (!version) {
    throw new UsageError(`${source.path} has no Include/patchlevel.h with PY_VERSION; pass a CPython source`);
  }
  return version;
}

/** The prefix's install when its marker is valid and its interpreter exists. */
async function installedVariant(prefix: string, variant: Variant): Promise<InstalledVariant | null> {
  const marker = await readMarker(prefix);
  if (!marker || marker.variant !== variant) return null;
  const minor = marker.version.split('.').slice(0, 2).join('.');
  const executable = path.join(prefix, 'bin', `python${minor}${variant === 'freethreaded' ? 't' : ''}`);
  return existsSync(executable) ? { variant, prefix, executable, marker } : null;
}

/**
 * A cache entry of this spec with both variants installed, whose marker passes `accept`:
 * first by `prefer` (when given), then the newest build.
 */
async function findInstalled(
  cacheDir: string,
  spec: RuntimeSpec,
  accept: (marker: RuntimeMarker) => boolean,
  prefer: (a: RuntimeMarker, b: RuntimeMarker) => number = () => 0,
): Promise<InstallResult | null> {
  const base = path.join(cacheDir, 'cpython');
  const complete: InstallResult[] = [];
  for (const key of await readdir(base).catch(() => [] as string[])) {
    const root = path.join(base, key);
    const variants = await Promise.all(VARIANTS.map((v) => installedVariant(path.join(root, v), v)));
    if (variants.some((v) => v === null)) continue;
    const found = variants as InstalledVariant[];
    const marker = found[0]!.marker;
    if (!specAccepts(spec, marker.version) || !found.every((v) => accept(v.marker))) continue;
    complete.push({
      alreadyInstalled: true,
      version: marker.version,
      buildKind: marker.buildKind,
      root,
      variants: found,
      logFile: null,
    });
  }
  complete.sort(
    (a, b) =>
      prefer(a.variants[0]!.marker, b.variants[0]!.marker) ||
      (b.variants[0]!.marker.builtAt > a.variants[0]!.marker.builtAt ? 1 : -1),
  );
  return complete[0] ?? null;
}

/**
 * Take `file` as a lock (created exclusively, holding our pid). A lock whose
 * process is gone is stale and taken over. Returns the release function.
 */
export async function acquireLock(
  file: string,
  waitMs: number,
  onWait: (holderPid: number) => void = () => {},
): Promise<() => Promise<void>> {
  await mkdir(path.dirname(file), { recursive: true });
  const started = Date.now();
  let told = false;
  for (;;) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return () => unlink(file).catch(() => {});
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
    const age = Date.now() - ((await stat(file).catch(() => null))?.mtimeMs ?? 0);
    // An empty lock younger than a few seconds is being written right now; older, it was abandoned.
    const stale = Number.isInteger(holder) ? !processAlive(holder) : age > 5000;
    if (stale) {
      await unlink(file).catch(() => {});
      continue;
    }
    if (Date.now() - started >= waitMs) {
      throw new UsageError(
        `another gilbench install (pid ${holder}) holds ${file}; wait for it to finish, or delete the file if that process is gone`,
      );
    }
    if (!told) onWait(holder);
    told = true;
    await new Promise((resolve) => setTimeout(resolve, Math.min(1000, waitMs)));
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
