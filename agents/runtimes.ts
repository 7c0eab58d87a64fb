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
import { resolveModes } from '../harness/runtimes/modes.ts';
import type { Mode, ModeName } from '../harness/schema.ts';

/** What the agent builds when a mode has no runtime (the installer's one spec today). */
export const INSTALL_SPEC = 'cpython@3.13';

export type Installer = (spec: string, log: (message: string) => void) => Promise<void>;

export interface ResolveJobRuntimesOptions {
  discover?: DiscoverOptions;
  /** Null: a missing runtime is the job's error. */
  install: Installer | null;
  log: (message: string) => void;
}

/**
 * Resolves the modes; a mode without a runtime is built first when allowed.
 * Throws the resolver's UsageError otherwise (the job then fails with its message).
 */
export async function resolveJobRuntimes(names: ModeName[], opts: ResolveJobRuntimesOptions): Promise<Mode[]> {
  try {
    return resolveModes(names, await discoverRuntimes(opts.discover));
  } catch (err) {
    if (!(err instanceof UsageError) || !opts.install) throw err;
    opts.log(`${err.message.split(';')[0]}; building ${INSTALL_SPEC} (--install-runtimes), this takes a while`);
    await opts.install(INSTALL_SPEC, opts.log);
    return resolveModes(names, await discoverRuntimes(opts.discover));
  }
}

/**
 * The harness's installer, with its phases as log lines.
 * @example await installCpython('cpython@3.13', console.log);
 */
export async function installCpython(spec: string, log: (message: string) => void): Promise<void> {
  let lastPhase = '';
  const result = await installRuntime(spec, {
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
