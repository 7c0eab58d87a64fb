/**
 * What a server job may make this agent import. A job names built-in suites
 * (`suites/<name>/suite.py`); a suite file is run only when the agent was
 * started with `--allow-suite-dir DIR` and the file, symlinks resolved, lies
 * inside DIR. Anything else is refused before any interpreter starts, so a
 * job (or whoever sits between agent and server) cannot make the agent run
 * an arbitrary Python file. `gilbench run --suite PATH`, the user's own
 * command, does not pass through here.
 *
 * @example
 * const dirs = allowedSuiteDirs(['/srv/bench-suites']);
 * jobSuites(['scaling', 'mine/solver.py'], dirs); // ['scaling', '/srv/bench-suites/mine/solver.py']
 */
import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../harness/errors.ts';
import { builtInSuites } from '../harness/run/suites.ts';

/** A job named a suite this agent will not run; the job fails with this message. */
export class SuiteRefused extends Error {
  override name = 'SuiteRefused';
}

/**
 * Checks `--allow-suite-dir` folders once, at start: each must be an existing folder. Returns their real paths.
 * @example allowedSuiteDirs(['./my-suites']) // ['/home/me/my-suites']
 */
export function allowedSuiteDirs(dirs: readonly string[]): string[] {
  return [
    ...new Set(
      dirs.map((dir) => {
        let real: string;
        try {
          real = realpathSync(path.resolve(dir));
        } catch {
          throw new UsageError(`--allow-suite-dir ${dir}: no such folder`);
        }
        if (!statSync(real).isDirectory()) throw new UsageError(`--allow-suite-dir ${dir}: not a folder`);
        return real;
      }),
    ),
  ];
}

/** Whether `file` (a real path) lies inside `dir` (a real path). */
function inside(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel);
}

/**
 * The suites of a job as the runner should get them: built-in names as they
 * are, suite files as real paths inside an allowed folder. A relative path is
 * looked up in each allowed folder in turn. Throws SuiteRefused otherwise.
 * @example jobSuites(['selftest'], []) // ['selftest']
 */
export function jobSuites(suites: readonly string[], allowDirs: readonly string[]): string[] {
  const builtIn = builtInSuites();
  return suites.map((suite) => {
    if (builtIn.includes(suite)) return suite;
    if (!suite.endsWith('.py')) {
      throw new SuiteRefused(`unknown suite '${suite}'; this agent has the built-in suites ${builtIn.join(', ')}`);
    }
    if (allowDirs.length === 0) {
      throw new SuiteRefused(
        `the job names the suite file '${suite}'; this agent runs only built-in suites (${builtIn.join(', ')}) unless started with --allow-suite-dir DIR`,
      );
    }
    const candidates = path.isAbsolute(suite) ? [suite] : allowDirs.map((dir) => path.join(dir, suite));
    for (const candidate of candidates) {
      let real: string;
      try {
        real = realpathSync(candidate);
      } catch {
        continue; // not there: maybe in the next folder
      }
      if (allowDirs.some((dir) => inside(dir, real)) && statSync(real).isFile()) return real;
      throw new SuiteRefused(
        `the suite file '${suite}' resolves to ${real}, outside the folders this agent may run suites from (--allow-suite-dir ${allowDirs.join(',')})`,
      );
    }
    throw new SuiteRefused(`the suite file '${suite}' is not in ${allowDirs.join(' or ')} (--allow-suite-dir)`);
  });
}
