import { createHmac, createPublicKey } from 'node:crypto';
import { generateSigningKey, signAccessToken, TEST_SIGNING_KEY, type SigningKey } from './access-token';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Access tokens for `userId` that every service must refuse, by what is wrong with them:
 * expired, not yet valid, payload altered after signing, signature altered, `alg: none`,
 * signed by a key nobody published, HS256 keyed with the published public key, another issuer.
 * `key` is the key the service trusts (TEST_SIGNING_KEY unless the service is auth itself).
 */
export async function refusedTokens(
  userId: string,
  roles: string[] = ['user', 'admin'],
  key: Pick<SigningKey, 'kid' | 'privateKey'> = TEST_SIGNING_KEY,
): Promise<Record<string, string>> {
  const valid = await signAccessToken({ userId, roles, key });
  const [header, payload, signature] = valid.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  const publicPem = createPublicKey(key.privateKey).export({ format: 'pem', type: 'spki' }).toString();
  const hsHeader = b64({ alg: 'HS256', typ: 'JWT', kid: key.kid });
  const hsBody = b64(claims);
  const flipped = signature.startsWith('A') ? `B${signature.slice(1)}` : `A${signature.slice(1)}`;
  return {
    expired: await signAccessToken({ userId, roles, key, expiresIn: -60 }),
    'not yet valid': await signAccessToken({ userId, roles, key, notBefore: 3_600 }),
    tampered: `${header}.${b64({ ...claims, roles: ['user', 'admin'], sub: '00000000-0000-4000-8000-000000000000' })}.${signature}`,
    'bad signature': `${header}.${payload}.${flipped}`,
    'alg none': `${b64({ alg: 'none', typ: 'JWT', kid: key.kid })}.${payload}.`,
    'unknown key': await signAccessToken({ userId, roles, key: generateSigningKey() }),
    'HS256 with the public key': `${hsHeader}.${hsBody}.${createHmac('sha256', publicPem).update(`${hsHeader}.${hsBody}`).digest('base64url')}`,
    'other issuer': await signAccessToken({ userId, roles, key, issuer: 'evil' }),
  };
}
