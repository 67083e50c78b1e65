import { Injectable } from '@nestjs/common';
import type { Principal } from '@conveyor/platform';
import { DataSource, IsNull } from 'typeorm';
import { RefreshTokens } from '../../sessions/refresh-tokens';
import { AccountNotFoundError, WrongPasswordError } from '../accounts.errors';
import { Credential } from '../credential.entity';
import { PasswordHasher } from '../password-hasher';

/** Changes the password after checking the current one; every other session is revoked. */
@Injectable()
export class ChangePasswordHandler {
  constructor(
    private readonly dataSource: DataSource,
    private readonly hasher: PasswordHasher,
    private readonly refreshTokens: RefreshTokens,
  ) {}

  async execute(principal: Principal, currentPassword: string, newPassword: string): Promise<void> {
    const credential = await this.dataSource.getRepository(Credential).findOneBy({ id: principal.userId, disabledAt: IsNull() });
    if (!credential) throw new AccountNotFoundError();
    if (!(await this.hasher.verify(currentPassword, credential.passwordHash))) throw new WrongPasswordError();
    const hash = await this.hasher.hash(newPassword);
    await this.dataSource.transaction(async (manager) => {
      await manager.update(Credential, { id: credential.id }, { passwordHash: hash });
      await this.refreshTokens.revokeOtherFamilies(credential.id, principal.sessionId, manager);
    });
  }
}
