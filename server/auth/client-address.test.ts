import { describe, expect, it } from 'vitest';
import { createClientAddress, parseTrustedProxies } from './client-address.ts';

describe('createClientAddress', () => {
  const addressOf = createClientAddress(parseTrustedProxies(['10.0.0.0/8', '192.0.2.7', 'fd00::/8']));

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', () => {
    expect(addressOf('198.51.100.1', '203.0.113.9')).toBe('198.51.100.1');
    expect(addressOf('198.51.100.1', undefined)).toBe('198.51.100.1');
  });

  it('takes the first untrusted address from the right, behind trusted proxies', () => {
    expect(addressOf('10.0.0.5', '203.0.113.9')).toBe('203.0.113.9');
    expect(addressOf('10.0.0.5', '203.0.113.9, 10.0.0.7')).toBe('203.0.113.9');
    // What the client wrote itself (left of what the proxy appended) is not believed.
    expect(addressOf('192.0.2.7', '1.1.1.1, 203.0.113.9')).toBe('203.0.113.9');
    expect(addressOf('fd00::1', '2001:db8::5')).toBe('2001:db8::5');
  });

  it('reads IPv4 peers of a dual-stack socket, and stops at a hop that is no address', () => {
    expect(addressOf('::ffff:10.0.0.5', '203.0.113.9')).toBe('203.0.113.9');
    expect(addressOf('10.0.0.5', 'garbage')).toBe('10.0.0.5');
    expect(addressOf('10.0.0.5', 'garbage, 10.0.0.8')).toBe('10.0.0.8');
    expect(addressOf('10.0.0.5', '')).toBe('10.0.0.5');
  });

  it('without trusted proxies the peer always counts', () => {
    const none = createClientAddress(parseTrustedProxies([]));
    expect(none('10.0.0.5', '203.0.113.9')).toBe('10.0.0.5');
  });
});

describe('parseTrustedProxies', () => {
  it.each(['10.0.0.0/33', 'bench.example', '10.0.0.0/8/1', '10.0.0/8', 'fd00::/129', '10.0.0.0/x'])(
    "refuses '%s'",
    (entry) => {
      expect(() => parseTrustedProxies([entry])).toThrow(/is not an IP address or CIDR block/);
    },
  );
  it('takes addresses and blocks of both families', () => {
    expect(parseTrustedProxies(['127.0.0.1', ' 10.0.0.0/8 ', '::1', 'fd00::/8', '']).entries).toEqual([
      '127.0.0.1',
      '10.0.0.0/8',
      '::1',
      'fd00::/8',
    ]);
  });
});
