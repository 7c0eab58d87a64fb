import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../harness/errors.ts';
import { tempDir } from '../harness/test-support/index.ts';
import { allowedSuiteDirs, jobSuites, SuiteRefused } from './job-suites.ts';

const { dir, remove } = tempDir('gilbench-job-suites-');
afterAll(remove);
const allowed = path.join(dir, 'allowed');
const outside = path.join(dir, 'outside');
mkdirSync(path.join(allowed, 'sub'), { recursive: true });
mkdirSync(outside);
writeFileSync(path.join(allowed, 'sub', 'mine.py'), '');
writeFileSync(path.join(outside, 'evil.py'), '');
symlinkSync(path.join(outside, 'evil.py'), path.join(allowed, 'out.py'));
symlinkSync(outside, path.join(allowed, 'outdir'));
symlinkSync(path.join(allowed, 'sub', 'mine.py'), path.join(allowed, 'in.py'));

describe('jobSuites', () => {
  const dirs = allowedSuiteDirs([allowed]);

  it('passes built-in suites through, with or without an allow-list', () => {
    expect(jobSuites(['selftest', 'scaling'], [])).toEqual(['selftest', 'scaling']);
    expect(jobSuites(['selftest'], dirs)).toEqual(['selftest']);
  });

  it('refuses any suite file without an allow-list, and unknown names always', () => {
    expect(() => jobSuites([path.join(allowed, 'sub', 'mine.py')], [])).toThrow(SuiteRefused);
    expect(() => jobSuites([path.join(allowed, 'sub', 'mine.py')], [])).toThrow(/--allow-suite-dir/);
    expect(() => jobSuites(['no-such-suite'], dirs)).toThrow(/unknown suite 'no-such-suite'/);
    expect(() => jobSuites(['suites/selftest/suite'], dirs)).toThrow(/unknown suite/);
  });

  it('runs a file inside an allowed folder, by absolute or relative path, as its real path', () => {
    const real = path.join(dirs[0]!, 'sub', 'mine.py');
    expect(jobSuites([path.join(allowed, 'sub', 'mine.py')], dirs)).toEqual([real]);
    expect(jobSuites(['sub/mine.py'], dirs)).toEqual([real]);
    // A link that stays inside is fine.
    expect(jobSuites(['in.py'], dirs)).toEqual([real]);
  });

  it('refuses .., symlinks out of the folder and files that are not there', () => {
    for (const suite of ['../outside/evil.py', 'out.py', 'outdir/evil.py', path.join(outside, 'evil.py')]) {
      expect(() => jobSuites([suite], dirs), suite).toThrow(/outside the folders this agent may run suites from/);
    }
    expect(() => jobSuites(['missing.py'], dirs)).toThrow(/is not in/);
    expect(() => jobSuites(['sub'], dirs)).toThrow(/unknown suite/);
  });
});

describe('allowedSuiteDirs', () => {
  it('takes existing folders (their real paths, once each) and refuses anything else as a usage error', () => {
    expect(allowedSuiteDirs([allowed, `${allowed}/`])).toHaveLength(1);
    expect(() => allowedSuiteDirs([path.join(dir, 'nope')])).toThrow(UsageError);
    expect(() => allowedSuiteDirs([path.join(allowed, 'sub', 'mine.py')])).toThrow(/not a folder/);
  });
});
