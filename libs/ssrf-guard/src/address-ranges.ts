import { formatIpv4, inPrefix, parseIp, type IpAddress } from './ip-address';

/** What an address is, as far as outbound requests are concerned. */
export type AddressClass = { kind: 'public' } | { kind: 'loopback' } | { kind: 'blocked'; label: string };

interface Range {
  network: Uint8Array;
  prefixLength: number;
  /** What the range is, completing "<address> is …"; `loopback` is allowed on request. */
  label: string | 'loopback';
}

/** IPv6 ranges whose addresses carry an IPv4 address, and where in the 16 bytes it sits. */
interface EmbeddingRange {
  network: Uint8Array;
  prefixLength: number;
  form: string;
  offset: number;
}

const range = (cidr: string, label: string): Range => {
  const [address, prefix] = cidr.split('/');
  const parsed = parseIp(address);
  if (!parsed) throw new Error(`bad range ${cidr}`);
  return { network: parsed.bytes, prefixLength: Number(prefix), label };
};

const METADATA = 'a cloud metadata address';

// Specific entries come before the ranges that contain them, so the label is the precise one.
const IPV4_RANGES: Range[] = [
  range('169.254.169.254/32', METADATA),
  range('100.100.100.200/32', METADATA),
  range('0.0.0.0/8', 'an unspecified ("this network") address'),
  range('10.0.0.0/8', 'a private address'),
  range('100.64.0.0/10', 'a carrier-grade NAT address'),
  range('127.0.0.0/8', 'loopback'),
  range('169.254.0.0/16', 'a link-local address'),
  range('172.16.0.0/12', 'a private address'),
  range('192.0.0.0/24', 'an IETF protocol assignment'),
  range('192.0.2.0/24', 'a documentation address'),
  range('192.88.99.0/24', 'a 6to4 relay anycast address'),
  range('192.168.0.0/16', 'a private address'),
  range('198.18.0.0/15', 'a benchmarking address'),
  range('198.51.100.0/24', 'a documentation address'),
  range('203.0.113.0/24', 'a documentation address'),
  range('224.0.0.0/4', 'a multicast address'),
  range('240.0.0.0/4', 'a reserved address'),
];

const IPV6_RANGES: Range[] = [
  range('::/128', 'an unspecified address'),
  range('::1/128', 'loopback'),
  range('fd00:ec2::254/128', METADATA),
  range('::/96', 'an IPv4-compatible address (deprecated)'),
  range('64:ff9b:1::/48', 'a local-use NAT64 address'),
  range('100::/64', 'a discard-only address'),
  range('2001::/23', 'an IETF protocol assignment (Teredo, benchmarking, ORCHID)'),
  range('2001:db8::/32', 'a documentation address'),
  range('3fff::/20', 'a documentation address'),
  range('fc00::/7', 'a private (unique local) address'),
  range('fe80::/10', 'a link-local address'),
  range('fec0::/10', 'a site-local address (deprecated)'),
  range('ff00::/8', 'a multicast address'),
];

/** Only global unicast IPv6 space is ever reachable on the internet. */
const IPV6_GLOBAL_UNICAST = range('2000::/3', 'global unicast');

const embedding = (cidr: string, form: string, offset: number): EmbeddingRange => {
  const { network, prefixLength } = range(cidr, form);
  return { network, prefixLength, form, offset };
};

const EMBEDDINGS: EmbeddingRange[] = [
  embedding('::ffff:0:0/96', 'IPv4-mapped', 12),
  embedding('64:ff9b::/96', 'NAT64', 12),
  embedding('2002::/16', '6to4', 2),
];

export function classifyAddress(address: IpAddress): AddressClass {
  if (address.family === 4) return classifyIn(address.bytes, IPV4_RANGES);
  const embedded = EMBEDDINGS.find((e) => inPrefix(address.bytes, e.network, e.prefixLength));
  if (embedded) return classifyEmbedded(address.bytes.slice(embedded.offset, embedded.offset + 4), embedded.form);
  const special = classifyIn(address.bytes, IPV6_RANGES);
  if (special.kind !== 'public') return special;
  if (!inPrefix(address.bytes, IPV6_GLOBAL_UNICAST.network, IPV6_GLOBAL_UNICAST.prefixLength)) {
    return { kind: 'blocked', label: 'a non-global IPv6 address' };
  }
  return special;
}

function classifyIn(bytes: Uint8Array, ranges: readonly Range[]): AddressClass {
  const match = ranges.find((r) => inPrefix(bytes, r.network, r.prefixLength));
  if (!match) return { kind: 'public' };
  return match.label === 'loopback' ? { kind: 'loopback' } : { kind: 'blocked', label: match.label };
}

/**
 * An IPv6 address that carries an IPv4 one reaches that IPv4 address. Only the plain mapped
 * form of 127.0.0.0/8 counts as loopback; loopback behind a translator is simply refused.
 */
function classifyEmbedded(ipv4: Uint8Array, form: string): AddressClass {
  const inner = classifyIn(ipv4, IPV4_RANGES);
  if (inner.kind === 'public') return inner;
  if (inner.kind === 'loopback' && form === 'IPv4-mapped') return inner;
  const label = inner.kind === 'loopback' ? 'a loopback address' : inner.label;
  return { kind: 'blocked', label: `${label} (${form} form of ${formatIpv4(ipv4)})` };
}
