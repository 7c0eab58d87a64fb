/**
 * Probing: ask one interpreter what it is (one subprocess running probe.py)
 * and hash its executable, giving the run document's `Runtime`.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, constants, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { Runtime } from '../schema.ts';
import { type BuildKind, describeSource, readMarker } from './cache.ts';

const PROBE_SCRIPT = fileURLToPath(new URL('./probe.py', import.meta.url));
const DEFAULT_TIMEOUT_MS = 20_000;
/** The run document's limit for free text. */
const TEXT_LIMIT = 2000;

/** What probe.py prints. */
const ProbeOutput = z.object({
  implementation: z.string().min(1),
  version: z.string().min(1),
  freeThreaded: z.boolean(),
  gilEnabledByDefault: z.boolean(),
  configureArgs: z.string(),
  compiler: z.string(),
  gitBranch: z.string().nullable(),
  gitRevision: z.string().nullable(),
  buildName: z.string().nullable(),
  executable: z.string(),
  basePrefix: z.string(),
});
type ProbeOutput = z.infer<typeof ProbeOutput>;

type Env = Record<string, string | undefined>;

export interface ProbeOptions {
  /** Kill the interpreter after this long (default 20 s: shims and cold disks are slow). */
  timeoutMs?: number;
  /** Environment to start from (default process.env); PYTHON_GIL is always removed. */
  env?: Env;
}

/** The interpreter could not be probed: missing, not executable, crashed, timed out or printed nonsense. */
export class ProbeError extends Error {
  override name = 'ProbeError';
  constructor(
    readonly executable: string,
    readonly reason: string,
  ) {
    super(`${executable}: ${reason}`);
  }
}

/** What one run of probe.py said, and the path it was run as. */
interface ProbeFacts {
  out: ProbeOutput;
  invokedAs: string;
}

/** Probe runs per (realpath, mtime, size): the same file is never run twice in one process. */
const probeCache = new Map<string, Promise<ProbeFacts>>();
const hashCache = new Map<string, Promise<string>>();

/**
 * Run `executable` once with probe.py and describe it as a `Runtime`.
 * The reported executable is the interpreter's own `sys.executable` (so a
 * pyenv shim resolves to the real binary); its sha256 is of the resolved file.
 * @example
 * const rt = await probeRuntime('/usr/bin/python3');
 * rt.id; // 'cpython-3.11.2'
 */
export async function probeRuntime(executable: string, opts: ProbeOptions = {}): Promise<Runtime> {
  const absolute = path.resolve(executable);
  let key: string;
  try {
    const real = await realpath(absolute);
    const info = await stat(real);
    if (!info.isFile()) throw new ProbeError(absolute, 'not a file');
    await access(real, constants.X_OK);
    key = `${real}\0${info.mtimeMs}\0${info.size}`;
  } catch (err) {
    if (err instanceof ProbeError) throw err;
    throw new ProbeError(absolute, (err as NodeJS.ErrnoException).code === 'EACCES' ? 'not executable' : 'not found');
  }
  let pending = probeCache.get(key);
  if (!pending) {
    pending = runProbe(absolute, opts).then((out) => ({ out, invokedAs: absolute }));
    probeCache.set(key, pending);
    // A failure may be transient (timeout on a busy machine): do not remember it.
    pending.catch(() => probeCache.delete(key));
  }
  return describeProbe(await pending, absolute);
}

async function describeProbe({ out, invokedAs }: ProbeFacts, executable: string): Promise<Runtime> {
  // An interpreter reports the name it was started by; a shim reports the real binary instead.
  const selfReported = out.executable && path.isAbsolute(out.executable) ? out.executable : invokedAs;
  const reported = selfReported === invokedAs ? executable : selfReported;
  let hashed: string;
  try {
    hashed = await realpath(reported);
  } catch {
    throw new ProbeError(executable, `reports sys.executable ${reported}, which does not exist`);
  }
  const sha256 = await sha256File(hashed);
  const marker = await readMarker(out.basePrefix);
  const buildKind = marker?.buildKind ?? buildKindOf(out.configureArgs);
  return {
    id: runtimeId(out.implementation, out.version, out.freeThreaded, buildKind),
    implementation: out.implementation,
    version: out.version,
    freeThreaded: out.freeThreaded,
    gilEnabledByDefault: out.gilEnabledByDefault,
    configureArgs: clip(out.configureArgs),
    compiler: clip(out.compiler),
    revision: revisionOf(out, marker ? describeSource(marker) : null),
    executable: reported,
    sha256,
    buildKind,
  };
}

function runProbe(executable: string, opts: ProbeOptions): Promise<ProbeOutput> {
  const env: Env = { ...(opts.env ?? process.env) };
  // The GIL state reported must be the build's default, whatever the caller's shell says.
  delete env.PYTHON_GIL;
  return new Promise((resolve, reject) => {
    execFile(
      executable,
      // -I: ignore PYTHON* variables and user site; -S: skip site (faster, nothing to import).
      ['-I', '-S', PROBE_SCRIPT],
      { env, timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 1 << 20 },
      (err, stdout, stderr) => {
        if (err) {
          const killed = (err as { killed?: boolean }).killed;
          const detail = killed
            ? `did not answer within ${Math.round((opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000)} s`
            : `does not run (${firstLine(stderr) || err.message})`;
          reject(new ProbeError(executable, detail));
          return;
        }
        try {
          resolve(ProbeOutput.parse(JSON.parse(stdout.trim().split('\n').pop() ?? '')));
        } catch {
          reject(
            new ProbeError(
              executable,
              `is not a Python 3.6+ interpreter gilbench can read (${firstLine(stderr || stdout)})`,
            ),
          );
        }
      },
    );
  });
}

/**
 * A runtime's id: implementation, version, `t` when free-threaded, `-release` for a PGO + LTO build.
 * @example runtimeId('cpython', '3.13.5', true) === 'cpython-3.13.5t'
 * @example runtimeId('cpython', '3.13.5', true, 'release') === 'cpython-3.13.5t-release'
 */
export function runtimeId(
  implementation: string,
  version: string,
  freeThreaded: boolean,
  buildKind: BuildKind = 'fast',
): string {
  return `${implementation}-${version}${freeThreaded ? 't' : ''}${buildKind === 'release' ? '-release' : ''}`;
}

/**
 * The build kind of an interpreter gilbench did not build, from its configure arguments:
 * `release` when built with PGO (`--enable-optimizations`), else `fast`.
 * @example buildKindOf("'--prefix=/usr' '--enable-optimizations' '--with-lto'") === 'release'
 */
export function buildKindOf(configureArgs: string): BuildKind {
  return /(^|[\s'"])--enable-optimizations(?=$|[\s'"])/.test(configureArgs) ? 'release' : 'fast';
}

function revisionOf(out: ProbeOutput, markerSource: string | null): string | null {
  if (out.gitRevision) return clip(out.gitBranch ? `${out.gitBranch}:${out.gitRevision}` : out.gitRevision);
  if (markerSource) return clip(markerSource);
  // Builds outside git say `main` or `default` here: only a `tag:hash` form says something.
  if (out.buildName?.includes(':')) return clip(out.buildName);
  return null;
}

/**
 * sha256 of a file, remembered per (path, mtime, size).
 * @example await sha256File('/usr/bin/python3.11') // '6c1e...'
 */
export async function sha256File(file: string): Promise<string> {
  const info = await stat(file);
  const key = `${file}\0${info.mtimeMs}\0${info.size}`;
  let pending = hashCache.get(key);
  if (!pending) {
    pending = new Promise<string>((resolve, reject) => {
      const hash = createHash('sha256');
      createReadStream(file)
        .on('data', (chunk) => hash.update(chunk))
        .on('error', reject)
        .on('end', () => resolve(hash.digest('hex')));
    });
    hashCache.set(key, pending);
    pending.catch(() => hashCache.delete(key));
  }
  return pending;
}

function clip(text: string): string {
  return text.length <= TEXT_LIMIT ? text : `${text.slice(0, TEXT_LIMIT - 1)}…`;
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .find(Boolean) ?? ''
  ).slice(0, 200);
}
