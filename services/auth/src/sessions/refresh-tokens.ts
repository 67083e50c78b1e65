import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@conveyor/config';
import { queryRows } from '@conveyor/persistence';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import type { AuthConfig } from '../auth.config';
import { InvalidRefreshTokenError } from './sessions.errors';

export interface IssuedRefreshToken {
  refreshToken: string;
  refreshExpiresIn: number;
  /** The family: the session's id. */
  familyId: string;
}

/** Opaque: `crt_` and 256 random bits. Only its SHA-256 is stored. */
const newToken = () => `crt_${randomBytes(32).toString('base64url')}`;
const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');
const TOKEN_FORMAT = /^crt_[A-Za-z0-9_-]{43}$/;

/**
 * Refresh-token families: a login starts one; each refresh replaces the presented token by the
 * next one of its family. Presenting a token that was already replaced means two parties hold
 * the family (a stolen token), so the whole family is revoked.
 */
@Injectable()
export class RefreshTokens {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: Pick<AuthConfig, 'REFRESH_TOKEN_TTL_SECONDS'>,
  ) {}

  start(userId: string, manager: EntityManager = this.dataSource.manager): Promise<IssuedRefreshToken> {
    return this.insert(manager, userId, randomUUID());
  }

  /**
   * The owner of `token` and its successor. Looked up by hash (equality on a hash of a
   * high-entropy token leaks nothing useful through timing), locked so two concurrent
   * refreshes with one token cannot both win.
   */
  async rotate(token: string): Promise<{ userId: string } & IssuedRefreshToken> {
    if (!TOKEN_FORMAT.test(token)) throw new InvalidRefreshTokenError();
    const outcome = await this.dataSource.transaction(async (manager) => {
      const [row] = await queryRows<{ id: string; family_id: string; user_id: string; usable: boolean; rotated: boolean; disabled: boolean }>(
        manager,
        `SELECT t.id, t.family_id, t.user_id,
                (t.revoked_at IS NULL AND t.rotated_at IS NULL AND t.expires_at > now()) AS usable,
                (t.rotated_at IS NOT NULL AND t.revoked_at IS NULL) AS rotated,
                (c.disabled_at IS NOT NULL) AS disabled
           FROM auth.refresh_tokens t JOIN auth.credentials c ON c.id = t.user_id
          WHERE t.token_hash = $1 FOR UPDATE OF t`,
        [hashOf(token)],
      );
      if (!row) return undefined;
      if (row.rotated) {
        await this.revokeFamilies(manager, 'family_id = $1', [row.family_id]);
        return undefined;
      }
      if (!row.usable || row.disabled) return undefined;
      await manager.query(`UPDATE auth.refresh_tokens SET rotated_at = now() WHERE id = $1`, [row.id]);
      return { userId: row.user_id, ...(await this.insert(manager, row.user_id, row.family_id)) };
    });
    // Thrown after the commit: a detected reuse must stay revoked.
    if (!outcome) throw new InvalidRefreshTokenError();
    return outcome;
  }

  /** Logout: revokes the family of `token`; an unknown token changes nothing. */
  async revokeFamilyOf(token: string): Promise<void> {
    if (!TOKEN_FORMAT.test(token)) return;
    await this.revokeFamilies(
      this.dataSource.manager,
      `family_id = (SELECT family_id FROM auth.refresh_tokens WHERE token_hash = $1)`,
      [hashOf(token)],
    );
  }

  /** Logout everywhere, and account deletion: revokes every family of the user. */
  async revokeAllOf(userId: string, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await this.revokeFamilies(manager, 'user_id = $1', [userId]);
  }

  /** Every family of the user but `keepFamily` (the caller's own session, when known). */
  async revokeOtherFamilies(userId: string, keepFamily: string | undefined, manager: EntityManager): Promise<void> {
    await this.revokeFamilies(manager, 'user_id = $1 AND family_id IS DISTINCT FROM $2', [userId, keepFamily ?? null]);
  }

  private async revokeFamilies(manager: EntityManager, where: string, params: unknown[]): Promise<void> {
    await manager.query(`UPDATE auth.refresh_tokens SET revoked_at = now() WHERE revoked_at IS NULL AND ${where}`, params);
  }

  private async insert(manager: EntityManager, userId: string, familyId: string): Promise<IssuedRefreshToken> {
    const refreshToken = newToken();
    const ttl = this.config.REFRESH_TOKEN_TTL_SECONDS;
    await manager.query(
      `INSERT INTO auth.refresh_tokens (id, family_id, user_id, token_hash, created_at, expires_at)
       VALUES ($1, $2, $3, $4, now(), now() + make_interval(secs => $5))`,
      [randomUUID(), familyId, userId, hashOf(refreshToken), ttl],
    );
    return { refreshToken, refreshExpiresIn: ttl, familyId };
  }
}
