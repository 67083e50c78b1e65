import { Injectable } from '@nestjs/common';
import { queryRows } from '@conveyor/persistence';
import { DataSource } from 'typeorm';
import { RefreshTokens } from '../../sessions/refresh-tokens';
import { consumeAccountToken, spendAllAccountTokens } from '../account-tokens';
import { InvalidAccountTokenError } from '../accounts.errors';
import { PasswordHasher } from '../password-hasher';
import { LoginThrottle } from '../issue-access-token/login-throttle';

/**
 * Sets a new password with a mailed reset token: the token works once and only before it
 * expires; other reset tokens are spent with it, every session is revoked (whoever knew the old
 * password is logged out) and the email's failed-login count is forgotten.
 */
@Injectable()
export class ResetPasswordHandler {
  constructor(
    private readonly dataSource: DataSource,
    private readonly hasher: PasswordHasher,
    private readonly refreshTokens: RefreshTokens,
    private readonly throttle: LoginThrottle,
  ) {}

  async execute(token: string, password: string): Promise<void> {
    const email = await this.dataSource.transaction(async (manager) => {
      const userId = await consumeAccountToken(manager, token, 'reset_password');
      if (!userId) throw new InvalidAccountTokenError();
      const [changed] = await queryRows<{ email: string }>(
        manager,
        `UPDATE auth.credentials SET password_hash = $2 WHERE id = $1 AND disabled_at IS NULL RETURNING email`,
        [userId, await this.hasher.hash(password)],
      );
      if (!changed) throw new InvalidAccountTokenError();
      await spendAllAccountTokens(manager, userId, 'reset_password');
      await this.refreshTokens.revokeAllOf(userId, manager);
      return changed.email;
    });
    await this.throttle.recordSuccess(email);
  }
}
