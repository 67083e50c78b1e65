import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@conveyor/config';
import { DataSource, IsNull } from 'typeorm';
import type { AuthConfig } from '../../auth.config';
import { AccountMails } from '../account-mails';
import { issueAccountToken } from '../account-tokens';
import { Credential } from '../credential.entity';

/**
 * Mails a single-use reset token to an existing, active account. The caller learns nothing:
 * the answer is the same 202 for any email, and the mail is sent after the answer.
 */
@Injectable()
export class ForgotPasswordHandler {
  constructor(
    private readonly dataSource: DataSource,
    private readonly mails: AccountMails,
    @Inject(APP_CONFIG) private readonly config: Pick<AuthConfig, 'PASSWORD_RESET_TTL_SECONDS'>,
  ) {}

  async execute(email: string): Promise<void> {
    const credential = await this.dataSource.getRepository(Credential).findOneBy({ email, disabledAt: IsNull() });
    if (!credential) return;
    const ttl = this.config.PASSWORD_RESET_TTL_SECONDS;
    const token = await issueAccountToken(this.dataSource.manager, credential.id, 'reset_password', ttl);
    void this.mails.resetPassword(credential.email, token, Math.round(ttl / 60));
  }
}
