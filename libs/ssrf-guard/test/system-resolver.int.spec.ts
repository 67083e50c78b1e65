import { checkOutboundUrl } from '../src/index';

describe('checkOutboundUrl with the system resolver', () => {
  it('resolves localhost and refuses it unless loopback is allowed', async () => {
    const refused = await checkOutboundUrl('https://localhost:8443/hook', { allowHttp: false, allowLoopback: false });
    expect(refused).toMatchObject({ ok: false, detail: expect.stringMatching(/loopback/) });

    const allowed = await checkOutboundUrl('http://localhost:8443/hook', { allowHttp: true, allowLoopback: true });
    expect(allowed).toMatchObject({ ok: true });
  });

  it('refuses a host that does not resolve', async () => {
    const check = await checkOutboundUrl('https://no-such-host.invalid/', { allowHttp: false, allowLoopback: false });
    expect(check).toMatchObject({ ok: false, reason: expect.stringContaining('could not be resolved') });
  });
});
