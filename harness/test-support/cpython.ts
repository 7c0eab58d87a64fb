/**
 * For tests: the CPython 3.13 pair `npm test` provisions (`gilbench runtimes
 * install cpython@3.13`), asked of the installer rather than named by its
 * cache key, so a new Debian upstream tarball moves the tests along instead of
 * skipping them. Missing builds are an error: a test that needs a real
 * interpreter must not pass without one.
 */
import { findDebianBuild } from '../runtimes/install.ts';

export interface ProvisionedCpython {
  version: string;
  /** `bin/python3.13` of the default (GIL) build. */
  gilExecutable: string;
  /** `bin/python3.13t` of the free-threaded build. */
  freeThreadedExecutable: string;
  /** What the build's marker records as its source, e.g. `debian:python3.13 3.13.5-2+deb13u5`. */
  source: string;
}

/** The provisioned pair; throws saying how to provision it when it is not there. */
export async function provisionedCpython(): Promise<ProvisionedCpython> {
  const build = await findDebianBuild('cpython@3.13');
  if (!build) {
    throw new Error(
      'no cached CPython 3.13 build: run `npx gilbench runtimes install cpython@3.13` (npm test runs it first)',
    );
  }
  const [gil, freeThreaded] = build.variants;
  return {
    version: build.version,
    gilExecutable: gil!.executable,
    freeThreadedExecutable: freeThreaded!.executable,
    source: gil!.marker.source,
  };
}
