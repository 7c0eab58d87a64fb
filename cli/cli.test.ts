import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('./bin.mjs', import.meta.url));
const gilbench = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000 });

describe('gilbench CLI usage errors: one line, exit code 2', () => {
  it.each([
    [['run', '--suite', 'selftest', '--bogus'], /unknown option '--bogus'/],
    [['run', '--suite', 'no-such-suite', '--mode', 'gil'], /unknown suite 'no-such-suite'; use one of .*selftest/],
    [['run', '--suite', 'selftest', '--mode', 'fast'], /unknown mode 'fast'; use gil, nogil, nogil-forced, ft-gil/],
    [['run', '--suite', 'selftest', '--profile', 'sloppy'], /unknown profile 'sloppy'/],
    [['run', '--suite', 'selftest', '--threads', 'x'], /--threads takes whole numbers/],
    [['run', '--suite', 'selftest', '--filter', '('], /--filter is not a valid regular expression/],
    [['run', '--suite', 'selftest', '--mode', 'gil', '--filter', 'nothing-matches'], /no case matches --filter/],
    [['run', '--suite', 'selftest', '--runtime', 'latest'], /--runtime latest is not a runtime selector/],
    [
      ['run', '--suite', 'selftest', '--mode', 'nogil', '--runtime', '3.13.99'],
      /no free-threaded CPython 3\.13\.99 found for mode 'nogil'; run `gilbench runtimes install cpython@3\.13\.99`/,
    ],
    [['run'], /required option '-s, --suite <names>' not specified/],
    [['no-such-command'], /unknown command 'no-such-command'/],
  ])('%j', (args, message) => {
    const out = gilbench(...args);
    expect(out.status).toBe(2);
    expect(out.stderr).toMatch(message);
    expect(out.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('a suite file with a syntax error is a usage error naming the file and line', () => {
    const broken = fileURLToPath(new URL('../harness/worker/fixtures/broken_syntax.py', import.meta.url));
    const out = gilbench('run', '--suite', broken, '--mode', 'gil', '--profile', 'quick');
    expect(out.status).toBe(2);
    expect(out.stderr).toMatch(/broken_syntax\.py:2: syntax error/);
  });

  it('--help exits 0', () => {
    expect(gilbench('--help').status).toBe(0);
  });
});
