import { describe, expect, it } from 'vitest';
import { digestMatches, generateToken, hashToken, plausibleToken } from './tokens.ts';

describe('tokens', () => {
  it('are random, prefixed and long enough', () => {
    const a = generateToken();
    expect(a).toMatch(/^gb_[A-Za-z0-9_-]{43}$/);
    expect(generateToken()).not.toBe(a);
    expect(plausibleToken(a)).toBe(true);
  });

  it('hash to a 16-hex id and a SHA-256 digest that only the same token matches', () => {
    const t = generateToken();
    const { id, digest } = hashToken(t);
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(digest).toHaveLength(32);
    expect(digestMatches(digest, hashToken(t).digest)).toBe(true);
    expect(digestMatches(digest, hashToken(`${t}x`).digest)).toBe(false);
    expect(digestMatches(digest, Buffer.alloc(31))).toBe(false);
  });

  it('are not plausible when short, huge or with spaces', () => {
    expect(plausibleToken('gb_short')).toBe(false);
    expect(plausibleToken(`gb_${'a'.repeat(600)}`)).toBe(false);
    expect(plausibleToken(`gb_${'a'.repeat(20)} x`)).toBe(false);
  });
});
