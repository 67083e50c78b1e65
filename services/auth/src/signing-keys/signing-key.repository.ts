import { generateKeyPairSync, randomUUID, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { KeyEncryption } from './key-encryption';

export interface StoredKey {
  kid: string;
  publicJwk: JsonWebKey;
  privateKeyEncrypted: string;
  createdAt: Date;
}

/** How many keys are published and trusted: the current one and the one before it. */
export const PUBLISHED_KEYS = 2;

/** The newest keys first, at most `PUBLISHED_KEYS` of them. */
export async function publishedKeys(db: Pick<EntityManager, 'query'>): Promise<StoredKey[]> {
  const rows = await db.query<{ kid: string; public_jwk: JsonWebKey; private_key_encrypted: string; created_at: Date }[]>(
    `SELECT kid, public_jwk, private_key_encrypted, created_at FROM auth.signing_keys
      ORDER BY created_at DESC, kid LIMIT ${PUBLISHED_KEYS}`,
  );
  return rows.map((r) => ({ kid: r.kid, publicJwk: r.public_jwk, privateKeyEncrypted: r.private_key_encrypted, createdAt: r.created_at }));
}

/** Generates a P-256 key pair and stores it as the new current key. */
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
