import { queryRows } from '@conveyor/persistence';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';

export type AccountTokenPurpose = 'confirm_email' | 'reset_password';

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');
const FORMAT = /^cat_[A-Za-z0-9_-]{43}$/;

/** A single-use token mailed to the account's owner; only its SHA-256 is stored. */
export async function issueAccountToken(
  manager: EntityManager,
  userId: string,
  purpose: AccountTokenPurpose,
  ttlSeconds: number,
): Promise<string> {
  const token = `cat_${randomBytes(32).toString('base64url')}`;
  await manager.query(
    `INSERT INTO auth.account_tokens (id, user_id, purpose, token_hash, created_at, expires_at)
     VALUES ($1, $2, $3, $4, now(), now() + make_interval(secs => $5))`,
    [randomUUID(), userId, purpose, hashOf(token), ttlSeconds],
  );
  return token;
}

/**
 * Spends a token: the guarded UPDATE lets exactly one caller use it, and only before it
 * expires. Returns its account, or undefined for an unknown, used, expired or mistyped token.
 */
export async function consumeAccountToken(manager: EntityManager, token: string, purpose: AccountTokenPurpose): Promise<string | undefined> {
  if (!FORMAT.test(token)) return undefined;
  const [row] = await queryRows<{ user_id: string }>(
    manager,
    `UPDATE auth.account_tokens SET used_at = now()
      WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
      RETURNING user_id`,
    [hashOf(token), purpose],
  );
  return row?.user_id;
}

/** Spends every outstanding token of one purpose, e.g. older reset links once a reset succeeded. */
export async function spendAllAccountTokens(manager: EntityManager, userId: string, purpose: AccountTokenPurpose): Promise<void> {
  await manager.query(`UPDATE auth.account_tokens SET used_at = now() WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL`, [userId, purpose]);
}
