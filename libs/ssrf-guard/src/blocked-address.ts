import { classifyAddress } from './address-ranges';
import { parseIp } from './ip-address';

export interface AddressPolicy {
  /** Accept 127.0.0.0/8 and ::1 (tests and local development only). */
  allowLoopback: boolean;
}

/**
 * Why an outbound connection to `ip` must not be made, as a predicate ("is a private
 * address"), or `undefined` when it may. Text that is not an IP address is refused too, so a
 * caller can never slip a host name past the check.
 */
export function addressVerdict(ip: string, { allowLoopback }: AddressPolicy): string | undefined {
  const address = parseIp(ip);
  if (!address) return 'is not an IP address';
  const found = classifyAddress(address);
  switch (found.kind) {
    case 'public':
      return undefined;
    case 'loopback':
      return allowLoopback ? undefined : 'is a loopback address';
    case 'blocked':
      return `is ${found.label}`;
  }
}

/** `addressVerdict` as a sentence about `ip`, e.g. `10.0.0.1 is a private address`. */
export function blockedAddressReason(ip: string, policy: AddressPolicy): string | undefined {
  const verdict = addressVerdict(ip, policy);
  return verdict && `${ip} ${verdict}`;
}

/**
 * True when an outbound connection to `ip` must be refused: private, loopback (unless
 * allowed), link-local, unspecified, multicast, carrier-grade NAT, benchmarking,
 * documentation, cloud metadata and other non-public addresses, in IPv4 and IPv6, including
 * IPv6 forms that carry an IPv4 address (mapped, NAT64, 6to4). Meant for the socket's
 * `lookup`/connect step as well, where it stops DNS rebinding between check and connect.
 */
export function isBlockedAddress(ip: string, policy: AddressPolicy): boolean {
  return addressVerdict(ip, policy) !== undefined;
}
