import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/index.ts';
import { syncDir, TEMP_PREFIX, writeFileAtomic } from './atomic-write.ts';

let dir: string;
let remove: () => void;
beforeEach(() => {
  ({ dir, remove } = tempDir('gilbench-atomic-'));
});
afterEach(() => remove());

describe('writeFileAtomic()', () => {
  it('writes the content with the given mode and leaves no temporary file', () => {
    const file = path.join(dir, 'state.json');
    writeFileAtomic(file, '{"a":1}\n', 0o600);
    expect(readFileSync(file, 'utf8')).toBe('{"a":1}\n');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['state.json']);
  });

  it('replaces an existing file whole', () => {
    const file = path.join(dir, 'run.json');
    writeFileSync(file, 'old content that is longer than the new one');
    writeFileAtomic(file, 'new');
    expect(readFileSync(file, 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['run.json']);
  });

  it('keeps the old file and removes its temporary file when the rename fails', () => {
    const target = path.join(dir, 'busy');
    mkdirSync(target);
    writeFileSync(path.join(target, 'inside'), 'x');
    expect(() => writeFileAtomic(target, 'new')).toThrow();
    expect(readdirSync(dir)).toEqual(['busy']);
    expect(readdirSync(target)).toEqual(['inside']);
  });

  it('fails without writing anything when the folder does not exist', () => {
    expect(() => writeFileAtomic(path.join(dir, 'missing', 'x.json'), 'x')).toThrow(/ENOENT/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('names its temporary files with the prefix readers skip', () => {
    expect(TEMP_PREFIX).toBe('.tmp-');
    expect(() => syncDir(path.join(dir, 'no-such-folder'))).not.toThrow();
  });
});
