import { createHmac, timingSafeEqual } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { SecretBox } from './secret-box';
import { generateSigningSecret, signatureHeader, webhookHeaders } from './webhook-signature';

/** Written from the Standard Webhooks spec, independently of the code under test. */
function specVerify(secret: string, headers: Record<string, string>, body: string): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key)
    .update(`${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`)
    .digest();
  return headers['webhook-signature'].split(' ').some((entry) => {
    const [version, signature] = entry.split(',');
    const given = Buffer.from(signature ?? '', 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

describe('Standard Webhooks signing', () => {
  const body = JSON.stringify({ type: 'jobs.job.succeeded.v1', timestamp: '2025-01-15T09:32:01.020Z', data: { ü: 'ünïcode' } });

  it('makes secrets of whsec_ and base64 of 32 random bytes', () => {
    const secret = generateSigningSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(generateSigningSecret()).not.toBe(secret);
  });

  it('signs so that the official library and a verifier written from the spec both accept it', () => {
    // given
    const secret = generateSigningSecret();
    const timestamp = Math.floor(Date.now() / 1000);
    // when
    const headers = webhookHeaders([secret], { id: 'msg_abc', timestamp, body });
    // then
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(specVerify(secret, headers, body)).toBe(true);
    expect(specVerify(generateSigningSecret(), headers, body)).toBe(false);
    expect(specVerify(secret, headers, body.replace('ü', 'u'))).toBe(false);
  });

  it('puts one signature per secret in the header, each verifiable with its own secret', () => {
    const [current, previous] = [generateSigningSecret(), generateSigningSecret()];
    const headers = webhookHeaders([current, previous], { id: 'msg_x', timestamp: Math.floor(Date.now() / 1000), body });

    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    for (const secret of [current, previous]) {
      expect(new Webhook(secret).verify(body, headers)).toBeTruthy();
      expect(specVerify(secret, headers, body)).toBe(true);
    }
  });

  it('matches a signature computed by hand for fixed inputs', () => {
    const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
    const expected = createHmac('sha256', '0123456789abcdef0123456789abcdef').update('msg_1.1700000000.{}').digest('base64');
    expect(signatureHeader([secret], { id: 'msg_1', timestamp: 1_700_000_000, body: '{}' })).toBe(`v1,${expected}`);
  });
});

describe('SecretBox', () => {
  const box = new SecretBox(Buffer.alloc(32, 7).toString('base64'));

  it('gives back what it sealed, and the sealed form does not contain it', () => {
    const secret = generateSigningSecret();
    const sealed = box.seal(secret, 'row-1');
    expect(sealed).not.toContain(secret.slice(6));
    expect(box.open(sealed, 'row-1')).toBe(secret);
  });

  it('refuses a ciphertext moved to another row, or opened with another key', () => {
    const sealed = box.seal('whsec_x', 'row-1');
    expect(() => box.open(sealed, 'row-2')).toThrow();
    expect(() => new SecretBox(Buffer.alloc(32, 8).toString('base64')).open(sealed, 'row-1')).toThrow();
  });
});
