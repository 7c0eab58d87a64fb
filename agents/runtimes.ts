/**
 * A job's modes to runtimes on this machine: discover, resolve, and, when
 * the agent runs with `--install-runtimes`, build the missing CPython through
 * the harness's installer and resolve again. Runs before the first case.
 *
 * @example
 * const modes = await resolveJobRuntimes(['gil', 'nogil'], { install: installCpython, log });
 */
import { UsageError } from '../harness/errors.ts';
import { type DiscoverOptions, discoverRuntimes } from '../harness/runtimes/discover.ts';
import { installRuntime } from '../harness/runtimes/install.ts';
import { parseRuntimeSelector, resolveModes } from '../harness/runtimes/modes.ts';
import type { Mode, ModeName } from '../harness/schema.ts';

/** What the agent builds when a mode has no runtime and the job names no release. */
export const INSTALL_SPEC = 'cpython@3.13';

/**
 * The install spec for a job's runtime selector: its exact release (`3.13.15`, `cpython-3.13.15t`),
 * its minor (`3.14`), else INSTALL_SPEC; a release build when the selector names one.
 * @example installSpecFor('cpython-3.13.15t') // { spec: 'cpython@3.13.15', build: 'fast' }
 */
export function installSpecFor(runtime: string | undefined): { spec: string; build: 'fast' | 'release' } {
  const selector = runtime ? parseRuntimeSelector(runtime) : {};
  return {
    spec: selector.version ? `cpython@${selector.version}` : INSTALL_SPEC,
    build: selector.buildKind ?? 'fast',
  };
}

export type Installer = (spec: string, log: (message: string) => void, build?: 'fast' | 'release') => Promise<void>;

export interface ResolveJobRuntimesOptions {
  discover?: DiscoverOptions;
  /** Null: a missing runtime is the job's error. */
  install: Installer | null;
  log: (message: string) => void;
  /** The job's runtime selector (a version, a runtime id or `newest`). */
  runtime?: string;
}

/**
 * Resolves the modes; a mode without a runtime is built first when allowed.
 * Throws the resolver's UsageError otherwise (the job then fails with its message).
 */
export async function resolveJobRuntimes(names: ModeName[], opts: ResolveJobRuntimesOptions): Promise<Mode[]> {
  try {
    return resolveModes(names, await discoverRuntimes(opts.discover), { runtime: opts.runtime });
  } catch (err) {
    if (!(err instanceof UsageError) || !opts.install) throw err;
    const { spec, build } = installSpecFor(opts.runtime);
    const kind = build === 'release' ? ' --build release' : '';
    opts.log(`${err.message.split(';')[0]}; building ${spec}${kind} (--install-runtimes), this takes a while`);
    await opts.install(spec, opts.log, build);
    return resolveModes(names, await discoverRuntimes(opts.discover), { runtime: opts.runtime });
  }
}

/**
 * The harness's installer, with its phases as log lines.
 * @example await installCpython('cpython@3.13', console.log);
 */
export async function installCpython(
  spec: string,
  log: (message: string) => void,
  build: 'fast' | 'release' = 'fast',
): Promise<void> {
  let lastPhase = '';
  const result = await installRuntime(spec, {
    build,
    onEvent: (event) => {
      if (event.type === 'phase') {
        const phase = `${event.variant ?? 'source'}: ${event.phase}`;
        if (phase !== lastPhase) log(`building CPython: ${phase}`);
        lastPhase = phase;
      } else if (event.type === 'variant-done') {
        log(`built the ${event.variant} variant in ${event.prefix}`);
      }
    },
  });
  log(result.alreadyInstalled ? `${spec} was installed already` : `CPython ${result.version} built`);
}
