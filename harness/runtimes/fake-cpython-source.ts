/**
 * Test helper (not used by gilbench itself): a tiny but real "CPython source
 * tree" whose configure and Makefile run in a second, so the installer's whole
 * path (extract, configure, make, make install DESTDIR, rename, marker) can be
 * tested without a 5-minute compile. Its `python3.13[t]` is a wrapper around
 * the system's python3.
 */
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface FakeSourceOptions {
  version?: string;
  /** Make `configure` exit 1. */
  failConfigure?: boolean;
  /** Make `make install` fail for the free-threaded variant, after it copied its files. */
  failFreeThreadedInstall?: boolean;
  /** Seconds `make` sleeps (to hold the lock long enough for a concurrency test). */
  makeSeconds?: number;
  /**
   * Tests the fake `-m test --pgo` of a release build (`--enable-optimizations`) fails, as a flaky
   * test does in CPython's own training run; default none.
   */
  failingPgoTests?: string[];
  /** Make the fake training run crash (abort) before any test, as a broken instrumented build would. */
  crashPgo?: boolean;
}

/**
 * Write a fake source tree into `dir`. Every configure run appends a line to
 * the file named by $FAKE_BUILD_COUNTER when set.
 * @example await writeFakeSource('/tmp/src', { failConfigure: true });
 */
export async function writeFakeSource(dir: string, opts: FakeSourceOptions = {}): Promise<string> {
  await mkdir(path.join(dir, 'Include'), { recursive: true });
  await writeFile(
    path.join(dir, 'Include', 'patchlevel.h'),
    `/* fake */\n#define PY_MINOR_VERSION 13\n#define PY_VERSION      "${opts.version ?? '3.13.99'}"\n`,
  );
  const configure = [
    '#!/bin/sh',
    '[ -z "$FAKE_BUILD_COUNTER" ] || echo "configure $*" >> "$FAKE_BUILD_COUNTER"',
    'echo "checking for a fake compiler... yes"',
    opts.failConfigure ? 'echo "configure: error: no fake compiler found" >&2; exit 1' : '',
    'prefix=""; suffix=""; optimize=""',
    'for arg in "$@"; do',
    '  case "$arg" in',
    '    --prefix=*) prefix=$(echo "$arg" | cut -d= -f2-) ;;',
    '    --disable-gil) suffix=t ;;',
    '    --enable-optimizations) optimize=yes ;;',
    '  esac',
    'done',
    'printf "PREFIX=%s\\nSUFFIX=%s\\nOPTIMIZE=%s\\n" "$prefix" "$suffix" "$optimize" > config.mk',
    '',
  ].join('\n');
  await writeFile(path.join(dir, 'configure'), configure);
  await chmod(path.join(dir, 'configure'), 0o755);
  const tab = '\t';
  // A fake `test` package for the training run: progress lines like CPython's runner, then its exit code.
  const failing = opts.failingPgoTests ?? [];
  const tests = ['test_array', ...failing, 'test_json'];
  await mkdir(path.join(dir, 'FakeLib', 'test'), { recursive: true });
  await writeFile(path.join(dir, 'FakeLib', 'test', '__init__.py'), '');
  await writeFile(
    path.join(dir, 'FakeLib', 'test', '__main__.py'),
    [
      'import os, sys',
      opts.crashPgo ? 'os.abort()' : '',
      `tests = ${JSON.stringify(tests)}`,
      `failing = ${JSON.stringify(failing)}`,
      'for i, name in enumerate(tests, 1):',
      '    print("0:00:%02d load avg: 1.00 [%2d/%d] %s" % (i, i, len(tests), name), flush=True)',
      'if failing:',
      '    print("%d test%s failed:" % (len(failing), "" if len(failing) == 1 else "s"))',
      '    print("    " + " ".join(failing))',
      '    sys.exit(2)',
      '',
    ].join('\n'),
  );
  const makefile = [
    'include config.mk',
    // CPython's default, overridable on make's command line as in CPython's Makefile.
    'PROFILE_TASK=-m test --pgo',
    'all:',
    `${tab}@echo "cc -c -O2 -o Objects/a.o Objects/a.c"`,
    `${tab}@echo "cc -c -O2 -o Objects/b.o Objects/b.c"`,
    `${tab}@sleep ${opts.makeSeconds ?? 0}`,
    `${tab}printf '#!/bin/sh\\nPYTHONPATH=$(CURDIR)/FakeLib exec /usr/bin/python3 "$$@"\\n' > python`,
    `${tab}chmod +x python`,
    // A release build: the training run, then the optimized pass compiles again.
    `${tab}@if [ "$(OPTIMIZE)" = yes ]; then ./python $(PROFILE_TASK) && echo "cc -c -O2 -o Objects/a.o Objects/a.c"; fi`,
    'install:',
    `${tab}mkdir -p $(DESTDIR)$(PREFIX)/bin`,
    `${tab}cp python $(DESTDIR)$(PREFIX)/bin/python3.13$(SUFFIX)`,
    opts.failFreeThreadedInstall ? `${tab}@test -z "$(SUFFIX)" || { echo "fake install failure" >&2; exit 1; }` : '',
    '',
  ].join('\n');
  await writeFile(path.join(dir, 'Makefile'), makefile);
  return dir;
}

/**
 * Pack a fake source tree as a release-style tarball (`Python-<version>/...`).
 * @example const tarball = await writeFakeTarball('/tmp/t', { version: '3.13.98' });
 */
export async function writeFakeTarball(dir: string, opts: FakeSourceOptions = {}): Promise<string> {
  const version = opts.version ?? '3.13.99';
  const top = `Python-${version}`;
  await writeFakeSource(path.join(dir, top), opts);
  const tarball = path.join(dir, `${top}.tar.gz`);
  execFileSync('tar', ['-czf', tarball, '-C', dir, top]);
  return tarball;
}
