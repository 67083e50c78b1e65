import { blockedAddressReason, isBlockedAddress } from './blocked-address';

const strict = { allowLoopback: false };
const loopbackAllowed = { allowLoopback: true };

describe('isBlockedAddress', () => {
  it.each([
    ['1.1.1.1'],
    ['8.8.8.8'],
    ['93.184.215.14'],
    ['100.63.255.255'], // just below carrier-grade NAT
    ['100.128.0.0'], // just above it
    ['172.15.255.255'], // just below 172.16.0.0/12
    ['172.32.0.1'], // just above it
    ['192.167.255.255'],
    ['198.17.255.255'], // just below benchmarking
    ['198.20.0.0'], // just above it
    ['223.255.255.255'], // last unicast before multicast
    ['2606:4700:4700::1111'],
    ['2001:4860:4860::8888'],
    ['2a00:1450:4001:81b::200e'],
    ['::ffff:8.8.8.8'], // IPv4-mapped public
    ['::ffff:808:808'], // the same, in hex
    ['64:ff9b::808:808'], // NAT64 of a public address
    ['2002:808:808::1'], // 6to4 of a public address
  ])('lets %s through: it is public', (ip) => {
    expect(isBlockedAddress(ip, strict)).toBe(false);
  });

  it.each([
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.255', 'carrier-grade NAT'],
    ['169.254.0.1', 'link-local'],
    ['169.254.169.254', 'cloud metadata'],
    ['100.100.100.200', 'cloud metadata'],
    ['192.0.0.8', 'IETF protocol assignment'],
    ['192.0.2.10', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.200', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.255', 'benchmarking'],
    ['192.88.99.1', '6to4 relay'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['::', 'unspecified'],
    ['fc00::1', 'unique local'],
    ['fd12:3456:789a::1', 'unique local'],
    ['fd00:ec2::254', 'cloud metadata'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf:ffff::1', 'link-local'],
    ['fec0::1', 'site-local'],
    ['ff02::1', 'multicast'],
    ['ff05::2', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['3fff::1', 'documentation'],
    ['2001::1', 'IETF protocol assignment'], // Teredo
    ['2001:2::1', 'IETF protocol assignment'], // benchmarking
    ['100::1', 'discard-only'],
    ['64:ff9b:1::a00:1', 'local-use NAT64'],
    ['::a00:1', 'IPv4-compatible'],
    ['5f00::1', 'non-global'],
    ['4000::1', 'non-global'],
    ['::ffff:10.0.0.1', 'private address (IPv4-mapped form of 10.0.0.1)'],
    ['::ffff:a00:1', 'private address (IPv4-mapped form of 10.0.0.1)'],
    ['::ffff:169.254.169.254', 'cloud metadata address (IPv4-mapped form of 169.254.169.254)'],
    ['::ffff:0.0.0.0', 'unspecified'],
    ['64:ff9b::192.168.0.1', 'private address (NAT64 form of 192.168.0.1)'],
    ['64:ff9b::7f00:1', 'loopback address (NAT64 form of 127.0.0.1)'],
    ['2002:a9fe:a9fe::', 'cloud metadata address (6to4 form of 169.254.169.254)'],
    ['2002:7f00:1::', 'loopback address (6to4 form of 127.0.0.1)'],
  ])('refuses %s: %s', (ip, what) => {
    expect(isBlockedAddress(ip, strict)).toBe(true);
    expect(isBlockedAddress(ip, loopbackAllowed)).toBe(true);
    expect(blockedAddressReason(ip, strict)).toContain(what);
  });

  it.each([['127.0.0.1'], ['127.1.2.3'], ['::1'], ['::ffff:127.0.0.1']])(
    'refuses loopback %s unless loopback is allowed',
    (ip) => {
      expect(blockedAddressReason(ip, strict)).toBe(`${ip} is a loopback address`);
      expect(isBlockedAddress(ip, loopbackAllowed)).toBe(false);
    },
  );

  it.each([['localhost'], ['example.com'], [''], ['127.1'], ['0x7f000001'], ['2130706433'], ['010.0.0.1'], ['1.2.3.4.5'], ['::g']])(
    'refuses %p: it is not an IP address',
    (text) => {
      expect(blockedAddressReason(text, loopbackAllowed)).toBe(`${text} is not an IP address`);
    },
  );
});
