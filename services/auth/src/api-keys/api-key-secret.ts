import { createHash, randomBytes } from 'node:crypto';
import { encodeBase62 } from './base62';

const KEY_PREFIX = 'ck_live_';
const RANDOM_BYTES = 32;
/** Random characters shown in the visible prefix: enough to tell keys apart, far too few to guess. */
const VISIBLE_CHARS = 4;

export interface ApiKeySecret {
  /** The whole key, shown to the client once and never stored. */
  key: string;
  /** `ck_live_` and the first characters of the random part; safe to show and store. */
  prefix: string;
  /** Lower-case hex SHA-256 of the whole key: what auth stores and what jobs looks keys up by. */
  keyHash: string;
}

/** The only hash of a key the platform knows; jobs computes the same from a request's bearer key. */
export const hashApiKey = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');

/**
 * A new key: `ck_live_` + 256 random bits in base62 (43 characters). A plain, fast hash is
 * enough because the key is random and long, unlike a password, so there is nothing to
 * brute-force, and jobs can look it up by hash on every request.
 */
export function generateApiKey(): ApiKeySecret {
  const random = encodeBase62(randomBytes(RANDOM_BYTES));
  const key = `${KEY_PREFIX}${random}`;
  return { key, prefix: `${KEY_PREFIX}${random.slice(0, VISIBLE_CHARS)}`, keyHash: hashApiKey(key) };
}
