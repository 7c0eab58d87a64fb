/**
 * Runtimes: find, probe, pair and build the interpreters gilbench measures.
 *
 * @example
 * import { discoverRuntimes, resolveModes } from '../runtimes/index.ts';
 * const modes = resolveModes(['gil', 'nogil'], await discoverRuntimes({ pythons: opts.python }));
 */
export { defaultCacheDir, MARKER_FILE, type RuntimeMarker, readMarker, type Variant } from './cache.ts';
export { type DiscoverOptions, discoverRuntimes, type FoundRuntime, type RuntimeOrigin } from './discover.ts';
export {
  INSTALLABLE_MINORS,
  InstallError,
  type InstallEvent,
  type InstallOptions,
  type InstallResult,
  installRuntime,
  parseRuntimeSpec,
} from './install.ts';
export { compareVersions, MODE_ENV, type ResolveModesOptions, resolveModes } from './modes.ts';
export { ProbeError, type ProbeOptions, probeRuntime, runtimeId, sha256File } from './probe.ts';
