import { createHmac } from 'node:crypto';
import { generateSigningKey, signAccessToken, TEST_SIGNING_KEY } from './access-token';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Access tokens for `userId` that every service must refuse, by what is wrong with them:
 * expired, not yet valid, payload altered after signing, signature altered, `alg: none`,
 * signed by a key nobody published, HS256 keyed with the published public key, another issuer.
 */
export async function refusedTokens(userId: string, roles: string[] = ['user', 'admin']): Promise<Record<string, string>> {
  const valid = await signAccessToken({ userId, roles });
  const [header, payload, signature] = valid.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  const publicPem = TEST_SIGNING_KEY.publicKey.export({ format: 'pem', type: 'spki' }).toString();
  const hsHeader = b64({ alg: 'HS256', typ: 'JWT', kid: TEST_SIGNING_KEY.kid });
  const hsBody = b64(claims);
  const flipped = signature.startsWith('A') ? `B${signature.slice(1)}` : `A${signature.slice(1)}`;
  return {
    expired: await signAccessToken({ userId, roles, expiresIn: -60 }),
    'not yet valid': await signAccessToken({ userId, roles, notBefore: 3_600 }),
    tampered: `${header}.${b64({ ...claims, roles: ['user', 'admin'], sub: '00000000-0000-4000-8000-000000000000' })}.${signature}`,
    'bad signature': `${header}.${payload}.${flipped}`,
    'alg none': `${b64({ alg: 'none', typ: 'JWT', kid: TEST_SIGNING_KEY.kid })}.${payload}.`,
    'unknown key': await signAccessToken({ userId, roles, key: generateSigningKey() }),
    'HS256 with the public key': `${hsHeader}.${hsBody}.${createHmac('sha256', publicPem).update(`${hsHeader}.${hsBody}`).digest('base64url')}`,
    'other issuer': await signAccessToken({ userId, roles, issuer: 'evil' }),
  };
}
