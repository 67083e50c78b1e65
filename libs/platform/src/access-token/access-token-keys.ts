/**
 * Where a service finds the public key that signed an access token, by the token's `kid`.
 * Every service but auth reads auth's JWKS over HTTP ({@link RemoteJwks}); auth reads its own
 * key store. Keys are PEM-encoded SPKI public keys.
 */
export abstract class AccessTokenKeys {
  abstract find(kid: string): Promise<string | undefined>;
}

/** The issuer of every access token. */
export const ACCESS_TOKEN_ISSUER = 'conveyor-auth';

/** The only algorithm access tokens may use ([ADR 0004](../../../../docs/adr/0004-es256-access-tokens-with-jwks.md)). */
export const ACCESS_TOKEN_ALGORITHM = 'ES256';
