import { SIGNATURE_HEADER, signatureHeaders, TIMESTAMP_HEADER, verifySignature } from './vendor-signature';

describe('vendor signatures', () => {
  const secret = 'a-vendor-secret-of-at-least-32-characters';
  const body = Buffer.from('{"jobId":"j","status":"succeeded"}');
  const now = Date.UTC(2026, 10, 27, 8, 0, 0);
  const signed = (at = now) => {
    const headers = signatureHeaders(secret, body, at);
    return { timestamp: String(headers[TIMESTAMP_HEADER]), signature: String(headers[SIGNATURE_HEADER]) };
  };

  it('accepts a body signed with the secret, and says when it was signed', () => {
    // given headers made for this body
    const headers = signed();
    // when
    const check = verifySignature(secret, headers, body, now + 2_000);
    // then
    expect(check).toEqual({ ok: true, signedAt: new Date(now) });
  });

  it('refuses another body, another secret, or a tampered signature', () => {
    const headers = signed();
    expect(verifySignature(secret, headers, Buffer.from('{"jobId":"j","status":"failed"}'), now).ok).toBe(false);
    expect(verifySignature(`${secret}x`, headers, body, now).ok).toBe(false);
    const flipped = headers.signature.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
    expect(verifySignature(secret, { ...headers, signature: flipped }, body, now).ok).toBe(false);
    expect(verifySignature(secret, { ...headers, signature: 'v1=zz' }, body, now).ok).toBe(false);
    expect(verifySignature(secret, { ...headers, signature: headers.signature.replace('v1=', 'v2=') }, body, now).ok).toBe(false);
  });

  it('refuses a signature from more than five minutes ago or ahead', () => {
    expect(verifySignature(secret, signed(now - 301_000), body, now)).toEqual({ ok: false, reason: 'the timestamp is outside the tolerance' });
    expect(verifySignature(secret, signed(now + 301_000), body, now).ok).toBe(false);
    expect(verifySignature(secret, signed(now - 299_000), body, now).ok).toBe(true);
  });

  it('refuses missing or malformed headers', () => {
    expect(verifySignature(secret, {}, body, now).ok).toBe(false);
    expect(verifySignature(secret, { ...signed(), timestamp: '12.5' }, body, now).ok).toBe(false);
    expect(verifySignature(secret, { timestamp: signed().timestamp }, body, now).ok).toBe(false);
  });

  it('accepts any one matching signature among several (secret rotation on the vendor side)', () => {
    const headers = signed();
    expect(verifySignature(secret, { ...headers, signature: `v1=${'ab'.repeat(32)}, ${headers.signature}` }, body, now).ok).toBe(true);
  });
});
