import { generateKeyPairSync, randomUUID, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { KeyEncryption } from './key-encryption';

export interface StoredKey {
  kid: string;
  publicJwk: JsonWebKey;
  privateKeyEncrypted: string;
  createdAt: Date;
}

export interface KeySet {
  /** The key to sign with. */
  signing: StoredKey;
  /** Published and trusted, newest first: keys not signing yet, the signing key, and the one before it. */
  published: StoredKey[];
}

/**
 * The signing key is the newest one that has been published for `activationSeconds`, so that
 * every service's cached JWKS has had time to learn it before a token names it; on a first
 * start the only key signs at once. The key before it stays published, so tokens it signed keep
 * working until they expire; older keys are no longer trusted.
 */
export async function currentKeySet(db: Pick<EntityManager, 'query'>, activationSeconds: number): Promise<KeySet | undefined> {
  const rows = await db.query<{ kid: string; public_jwk: JsonWebKey; private_key_encrypted: string; created_at: Date; active: boolean }[]>(
    `SELECT kid, public_jwk, private_key_encrypted, created_at, created_at <= now() - make_interval(secs => $1) AS active
       FROM auth.signing_keys ORDER BY created_at DESC, kid LIMIT 4`,
    [activationSeconds],
  );
  if (rows.length === 0) return undefined;
  const found = rows.findIndex((r) => r.active);
  const signingIndex = found === -1 ? rows.length - 1 : found;
  const keys = rows.map((r) => ({ kid: r.kid, publicJwk: r.public_jwk, privateKeyEncrypted: r.private_key_encrypted, createdAt: r.created_at }));
  return { signing: keys[signingIndex], published: keys.slice(0, signingIndex + 2) };
}

/** Generates a P-256 key pair and stores it; it signs once it has been published long enough. */
export async function insertNewKey(db: Pick<EntityManager, 'query'>, encryption: KeyEncryption): Promise<string> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = randomUUID();
  await db.query(
    `INSERT INTO auth.signing_keys (kid, public_jwk, private_key_encrypted, created_at) VALUES ($1, $2, $3, clock_timestamp())`,
    [kid, JSON.stringify(publicJwkOf(publicKey)), encryption.encrypt(privateKey)],
  );
  return kid;
}

function publicJwkOf(publicKey: KeyObject): JsonWebKey {
  const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
  return { kty, crv, x, y };
}
