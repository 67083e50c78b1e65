import { JwtService } from '@nestjs/jwt';
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** A fresh ES256 (P-256) key pair with a random `kid`. */
export function generateSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { kid: randomUUID(), privateKey, publicKey };
}

/**
 * The key every service a spec boots trusts: startServiceUnderTest serves it as the JWKS the
 * service fetches (the production code path), and signAccessToken signs with it.
 */
export const TEST_SIGNING_KEY = generateSigningKey();

/** A JWKS document publishing the public halves of `keys`. */
export function jwksOf(...keys: SigningKey[]) {
  return { keys: keys.map((k) => ({ ...k.publicKey.export({ format: 'jwk' }), kid: k.kid, alg: 'ES256', use: 'sig' })) };
}

export interface AccessTokenClaims {
  userId?: string;
  email?: string;
  roles?: string[];
  /** Seconds; negative for a token that has already expired. */
  expiresIn?: number;
  /** Seconds from now before which the token is not valid (`nbf`). */
  notBefore?: number;
  /** Signs with another key (by default the one every service under test trusts). */
  key?: Pick<SigningKey, 'kid' | 'privateKey'>;
  issuer?: string;
}

/** An access token as auth issues them (ES256 with `kid`, issuer `conveyor-auth`), unless told otherwise. */
export function signAccessToken({
  userId = randomUUID(),
  email = `${userId}@example.com`,
  roles = ['user'],
  expiresIn = 300,
  notBefore,
  key = TEST_SIGNING_KEY,
  issuer = 'conveyor-auth',
}: AccessTokenClaims = {}): Promise<string> {
  return new JwtService().signAsync(
    { sub: userId, email, roles },
    { algorithm: 'ES256', keyid: key.kid, privateKey: key.privateKey, issuer, expiresIn, ...(notBefore !== undefined && { notBefore }) },
  );
}

export interface JwksServer {
  readonly url: string;
  /** Replaces the published keys (e.g. to drop one, as a rotation eventually does). */
  publish(...keys: SigningKey[]): void;
  close(): Promise<void>;
}

/** A loopback HTTP server publishing a JWKS, standing in for auth's `/.well-known/jwks.json`. */
export async function startJwksServer(...keys: SigningKey[]): Promise<JwksServer> {
  let document = JSON.stringify(jwksOf(...keys));
  const server: Server = createServer((_, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(document);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    publish: (...next) => (document = JSON.stringify(jwksOf(...next))),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
