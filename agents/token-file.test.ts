import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../harness/errors.ts';
import { tempDir } from '../harness/test-support/index.ts';
import { readTokenFile } from './token-file.ts';

const { dir, remove } = tempDir('gilbench-token-file-');
afterAll(remove);

describe('readTokenFile', () => {
  it('reads the token without surrounding whitespace; no warning for a file only its owner reads', () => {
    const file = path.join(dir, 'ok');
    writeFileSync(file, '  gb_secret\n', { mode: 0o600 });
    const warnings: string[] = [];
    expect(readTokenFile(file, (w) => warnings.push(w))).toBe('gb_secret');
    expect(warnings).toEqual([]);
  });

  it('warns when other users may read the file', () => {
    const file = path.join(dir, 'open');
    writeFileSync(file, 'gb_secret');
    chmodSync(file, 0o644);
    const warnings: string[] = [];
    readTokenFile(file, (w) => warnings.push(w));
    expect(warnings.join('\n')).toMatch(/may be read by other users \(mode 644\); chmod 600/);
  });

  it('refuses a missing, empty or many-word file as a usage error naming it', () => {
    const empty = path.join(dir, 'empty');
    writeFileSync(empty, '\n', { mode: 0o600 });
    const two = path.join(dir, 'two');
    writeFileSync(two, 'gb_a gb_b\n', { mode: 0o600 });
    const none = () => {};
    expect(() => readTokenFile(path.join(dir, 'missing'), none)).toThrow(UsageError);
    expect(() => readTokenFile(path.join(dir, 'missing'), none)).toThrow(/missing: cannot read it \(ENOENT\)/);
    expect(() => readTokenFile(empty, none)).toThrow(/is empty/);
    expect(() => readTokenFile(two, none)).toThrow(/more than one word/);
  });
});
