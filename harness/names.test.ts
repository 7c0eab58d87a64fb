import { describe, expect, it } from 'vitest';
import { cleanName, nameProblem } from './names.ts';

describe('nameProblem', () => {
  it('accepts ordinary names in any script', () => {
    for (const name of ['bench-1.lab', 'x86_64', 'nightly', 'prüfstand', '実験機', 'gpu big', 'a=b,c']) {
      expect(nameProblem(name), name).toBeNull();
    }
  });

  it.each([
    ['\u0000', '0000'],
    ['\u001b', '001B'],
    ['\u0085', '0085'],
    ['\u00ad', '00AD'],
    ['\u200b', '200B'],
    ['\u200d', '200D'],
    ['\u200f', '200F'],
    ['\u202e', '202E'],
    ['\u2066', '2066'],
    ['\u2028', '2028'],
    ['\u2060', '2060'],
    ['\ufeff', 'FEFF'],
    ['\u{e0041}', 'E0041'],
  ])('refuses U+%s', (char, code) => {
    expect(nameProblem(`bench${char}1`)).toBe(`U+${code} (an invisible or bidi control character) is not allowed`);
  });
});

describe('cleanName', () => {
  it('drops what nameProblem refuses and keeps the rest', () => {
    expect(cleanName('bench\u200b-\u202e1\n')).toBe('bench-1');
    expect(nameProblem(cleanName('a\u0000\u2066b\ufeff'))).toBeNull();
    expect(cleanName('prüfstand')).toBe('prüfstand');
  });
});
