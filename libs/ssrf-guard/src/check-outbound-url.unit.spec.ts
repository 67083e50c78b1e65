import { checkOutboundUrl, type OutboundUrlPolicy } from './check-outbound-url';

/** A resolver that knows a few made-up names, so no test depends on the machine's DNS. */
const records: Record<string, string[]> = {
  'hooks.example.test': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
  'internal.example.test': ['10.1.2.3'],
  'mixed.example.test': ['93.184.215.14', '192.168.0.10'],
  'metadata.example.test': ['169.254.169.254'],
  'v6-metadata.example.test': ['fd00:ec2::254'],
  'mapped.example.test': ['::ffff:10.0.0.1'],
  'local.example.test': ['127.0.0.1', '::1'],
  'empty.example.test': [],
};

const fakeLookup = async (host: string) => {
  if (host === 'slow.example.test') return new Promise<never>(() => undefined);
  const addresses = records[host];
  if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return addresses.map((address) => ({ address }));
};

const policy = (overrides: Partial<OutboundUrlPolicy> = {}): OutboundUrlPolicy => ({
  allowHttp: false,
  allowLoopback: false,
  lookup: fakeLookup,
  lookupTimeoutMs: 200,
  ...overrides,
});

describe('checkOutboundUrl', () => {
  it('accepts an https URL whose host resolves only to public addresses, with any port', async () => {
    // given / when
    const check = await checkOutboundUrl('https://hooks.example.test:8443/conveyor?x=1', policy());

    // then
    expect(check).toEqual({ ok: true, url: new URL('https://hooks.example.test:8443/conveyor?x=1') });
  });

  it.each([
    ['https://93.184.215.14/hook'],
    ['https://[2606:4700:4700::1111]/hook'],
  ])('accepts the public literal address in %s without asking DNS', async (url) => {
    const lookup = jest.fn(fakeLookup);
    expect(await checkOutboundUrl(url, policy({ lookup }))).toMatchObject({ ok: true });
    expect(lookup).not.toHaveBeenCalled();
  });

  it.each([
    ['not a url', 'not valid'],
    ['/relative/path', 'not valid'],
    ['ftp://hooks.example.test/', 'scheme must be https'],
    ['file:///etc/passwd', 'scheme must be https'],
    ['gopher://hooks.example.test/', 'scheme must be https'],
    ['http://hooks.example.test/', 'scheme must be https'],
    ['https://user:secret@hooks.example.test/', 'credentials'],
    ['https://user@hooks.example.test/', 'credentials'],
    ['https://internal.example.test/', '10.1.2.3 is a private address'],
    ['https://mixed.example.test/', '192.168.0.10 is a private address'],
    ['https://metadata.example.test/', 'cloud metadata'],
    ['https://v6-metadata.example.test/', 'cloud metadata'],
    ['https://mapped.example.test/', 'IPv4-mapped form of 10.0.0.1'],
    ['https://local.example.test/', 'loopback'],
    ['https://unknown.example.test/', 'could not be resolved'],
    ['https://empty.example.test/', 'has no addresses'],
    ['https://slow.example.test/', 'could not be resolved in time'],
    ['https://10.0.0.1/', 'the host 10.0.0.1 is a private address'],
    ['https://169.254.169.254/latest/meta-data/', 'cloud metadata'],
    ['https://[fd00:ec2::254]/', 'cloud metadata'],
    ['https://[::ffff:10.0.0.1]/', 'IPv4-mapped form of 10.0.0.1'],
    ['https://[::ffff:169.254.169.254]/', 'cloud metadata'],
    ['https://[::]/', 'unspecified'],
    ['https://0.0.0.0/', 'unspecified'],
    ['https://127.0.0.1/', 'loopback'],
    ['https://[::1]/', 'loopback'],
    ['https://0x7f000001/', 'loopback'], // the URL parser normalises it to 127.0.0.1
    ['https://2130706433/', 'loopback'],
    ['https://0177.0.0.1/', 'loopback'],
    ['https://10.1/', 'private'],
  ])('refuses %s (%s)', async (url, reason) => {
    const check = await checkOutboundUrl(url, policy());
    expect(check.ok).toBe(false);
    expect(!check.ok && `${check.reason} ${check.detail ?? ''}`).toContain(reason);
  });

  it('accepts http only when allowed', async () => {
    expect(await checkOutboundUrl('http://hooks.example.test/', policy({ allowHttp: true }))).toMatchObject({ ok: true });
    const refused = await checkOutboundUrl('http://hooks.example.test/', policy());
    expect(refused).toEqual({ ok: false, reason: 'the scheme must be https' });
  });

  it('accepts loopback hosts only when allowed, and still refuses private ones then', async () => {
    const allow = policy({ allowLoopback: true, allowHttp: true });
    expect(await checkOutboundUrl('http://local.example.test:8080/', allow)).toMatchObject({ ok: true });
    expect(await checkOutboundUrl('http://127.0.0.1:8080/', allow)).toMatchObject({ ok: true });
    expect(await checkOutboundUrl('http://[::1]:8080/', allow)).toMatchObject({ ok: true });
    expect(await checkOutboundUrl('http://internal.example.test/', allow)).toMatchObject({ ok: false });
    expect(await checkOutboundUrl('http://169.254.169.254/', allow)).toMatchObject({ ok: false });
  });

  it('accepts a URL object as well as a string', async () => {
    expect(await checkOutboundUrl(new URL('https://hooks.example.test/'), policy())).toMatchObject({ ok: true });
  });
});

describe('what a refusal tells the client', () => {
  it('never names the internal address a host name resolved to', async () => {
    const check = await checkOutboundUrl('https://internal.example.test/', policy());

    expect(check).toMatchObject({ ok: false, reason: 'the host internal.example.test resolves to an address that is not public' });
    expect(!check.ok && check.reason).not.toContain('10.1.2.3');
  });
});
