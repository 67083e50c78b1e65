import { isIPv4, isIPv6 } from 'node:net';

/** An IP address as its raw bytes: 4 for IPv4, 16 for IPv6. */
export interface IpAddress {
  family: 4 | 6;
  bytes: Uint8Array;
}

/**
 * Parses the canonical text forms of IPv4 and IPv6 addresses (an IPv6 zone such as `%eth0`
 * is ignored). Anything `node:net` does not accept as an address is `undefined`, so
 * shorthand spellings like `127.1` or `0x7f.0.0.1` are never read as addresses here: URL
 * parsing has already normalised those, and DNS answers are canonical.
 */
export function parseIp(text: string): IpAddress | undefined {
  const address = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (isIPv4(address)) return { family: 4, bytes: Uint8Array.from(address.split('.').map(Number)) };
  if (isIPv6(address)) return { family: 6, bytes: ipv6Bytes(address.split('%')[0]) };
  return undefined;
}

function ipv6Bytes(address: string): Uint8Array {
  let text = address;
  // A trailing dotted quad (`::ffff:10.0.0.1`) stands for the last two 16-bit groups.
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const zeros = new Array<string>(8 - left.length - right.length).fill('0');
  const bytes = new Uint8Array(16);
  [...left, ...zeros, ...right].forEach((group, i) => {
    const value = parseInt(group, 16);
    bytes[i * 2] = value >> 8;
    bytes[i * 2 + 1] = value & 0xff;
  });
  return bytes;
}

export function formatIpv4(bytes: Uint8Array): string {
  return Array.from(bytes).join('.');
}

/** Whether the first `prefixLength` bits of `bytes` equal those of `network`. */
export function inPrefix(bytes: Uint8Array, network: Uint8Array, prefixLength: number): boolean {
  for (let bit = 0; bit < prefixLength; bit += 8) {
    const i = bit / 8;
    const mask = prefixLength - bit >= 8 ? 0xff : (0xff << (8 - (prefixLength - bit))) & 0xff;
    if ((bytes[i] & mask) !== (network[i] & mask)) return false;
  }
  return true;
}
