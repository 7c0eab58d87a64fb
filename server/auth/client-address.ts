/**
 * The client address the rate limits key on. Behind a reverse proxy every
 * request comes from the proxy, so all clients would share one bucket; the
 * proxy says who connected to it in `X-Forwarded-For`. That header is read
 * only when the socket's peer is a proxy the server was told to trust
 * (`--trust-proxy CIDR,…`); anyone else could write any address into it.
 *
 * The header is read from the right: each trusted proxy appended the address
 * it saw, so the first address from the right that is not a trusted proxy is
 * the client. Anything to its left was written by the client and is ignored.
 *
 * @example
 * const addressOf = createClientAddress(parseTrustedProxies(['10.0.0.0/8', '::1']));
 * addressOf('10.0.0.5', '203.0.113.9, 10.0.0.7') // '203.0.113.9'
 * addressOf('198.51.100.1', '203.0.113.9')       // '198.51.100.1': not a trusted proxy
 */
import { BlockList, isIP } from 'node:net';

/** The trusted proxies, checked: each entry an address or a CIDR block, IPv4 or IPv6. */
export interface TrustedProxies {
  readonly list: BlockList;
  readonly entries: readonly string[];
}

/** `::ffff:10.0.0.1` (an IPv4 peer of a dual-stack socket) as `10.0.0.1`. */
function plain(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}

const family = (address: string) => (isIP(address) === 6 ? 'ipv6' : 'ipv4');

/**
 * Checks and reads `--trust-proxy` entries; throws RangeError naming a bad one.
 * @example parseTrustedProxies(['127.0.0.1', '10.0.0.0/8', 'fd00::/8'])
 */
export function parseTrustedProxies(entries: readonly string[]): TrustedProxies {
  const list = new BlockList();
  const kept: string[] = [];
  for (const raw of entries) {
    const entry = raw.trim();
    if (!entry) continue;
    const [address, bits, extra] = entry.split('/');
    const version = isIP(address ?? '');
    const max = version === 6 ? 128 : 32;
    if (!version || extra !== undefined || (bits !== undefined && !/^\d{1,3}$/.test(bits)) || Number(bits) > max) {
      throw new RangeError(
        `trusted proxy '${entry}' is not an IP address or CIDR block (e.g. 10.0.0.0/8, 192.0.2.7, fd00::/8)`,
      );
    }
    if (bits === undefined) list.addAddress(plain(address!), family(plain(address!)));
    else list.addSubnet(address!, Number(bits), family(address!));
    kept.push(entry);
  }
  return { list, entries: kept };
}

/**
 * A function from the socket's peer and the request's `X-Forwarded-For` to the client's address.
 * With no trusted proxies it is always the peer.
 * @example createClientAddress(parseTrustedProxies([]))('127.0.0.1', '1.2.3.4') === '127.0.0.1'
 */
export function createClientAddress(trusted: TrustedProxies): (peer: string, forwardedFor?: string) => string {
  const isTrusted = (address: string) => isIP(address) !== 0 && trusted.list.check(address, family(address));
  return (peer, forwardedFor) => {
    const from = plain(peer);
    if (!trusted.entries.length || forwardedFor === undefined || !isTrusted(from)) return from;
    const hops = forwardedFor
      .split(',')
      .map((hop) => plain(hop.trim()))
      .filter(Boolean);
    let client = from;
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i]!;
      // A hop that is no address: the proxy in front did not write it; stop at the last one known.
      if (!isIP(hop)) break;
      client = hop;
      if (!isTrusted(hop)) break;
    }
    return client;
  };
}
