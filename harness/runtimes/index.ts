/**
 * Runtimes: find, probe, pair and build the interpreters gilbench measures.
 *
 * @example
 * import { discoverRuntimes, resolveModes } from '../runtimes/index.ts';
 * const modes = resolveModes(['gil', 'nogil'], await discoverRuntimes({ pythons: opts.python }));
 */
export { BuildKind, defaultCacheDir, MARKER_FILE, type RuntimeMarker, readMarker, type Variant } from './cache.ts';
export { type DebianRelease, isServed, listDebianReleases, pickRelease, RELEASE_SUITES } from './debian-releases.ts';
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
export {
  compareVersions,
  MODE_ENV,
  parseRuntimeSelector,
  type ResolveModesOptions,
  type RuntimeSelector,
  resolveModes,
} from './modes.ts';
export { buildKindOf, ProbeError, type ProbeOptions, probeRuntime, runtimeId, sha256File } from './probe.ts';
