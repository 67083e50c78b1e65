import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@conveyor/config';
import { createEvent, UserRegisteredV1 } from '@conveyor/contracts';
import { OutboxWriter } from '@conveyor/outbox';
import { isUniqueViolation } from '@conveyor/persistence';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { EmailTakenError } from '../accounts.errors';
import { Credential } from '../credential.entity';
import { PasswordHasher } from '../password-hasher';
import { AdminPromotion } from '../admin-promotion';
import { AccountMails } from '../account-mails';
import { issueAccountToken } from '../account-tokens';
import type { AuthConfig } from '../../auth.config';
import type { RegisterAccountRequest } from './register-account.request';

/** Creates the account and its `auth.user.registered.v1` event in one transaction. */
@Injectable()
export class RegisterAccountHandler {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly hasher: PasswordHasher,
    private readonly promotion: AdminPromotion,
    private readonly mails: AccountMails,
    @Inject(APP_CONFIG) private readonly config: Pick<AuthConfig, 'EMAIL_CONFIRMATION_TTL_SECONDS'>,
  ) {}

  async execute(request: RegisterAccountRequest): Promise<Credential> {
    const credential = Object.assign(new Credential(), {
      id: randomUUID(),
      email: request.email,
      name: request.name ?? null,
      passwordHash: await this.hasher.hash(request.password),
      roles: ['user'],
      disabledAt: null,
      createdAt: new Date(),
    });
    let confirmation = '';
    try {
      await this.dataSource.transaction(async (manager) => {
        await manager.insert(Credential, credential);
        credential.roles = await this.promotion.applyTo(credential, manager);
        confirmation = await issueAccountToken(manager, credential.id, 'confirm_email', this.config.EMAIL_CONFIRMATION_TTL_SECONDS);
        await this.outbox.add(
          createEvent(UserRegisteredV1, {
            source: '/conveyor/auth',
            subject: credential.id,
            data: {
              userId: credential.id,
              email: credential.email,
              name: credential.name,
              registeredAt: credential.createdAt.toISOString(),
            },
          }),
          manager,
        );
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new EmailTakenError();
      throw error;
    }
    await this.mails.confirmEmail(credential.email, confirmation);
    return credential;
  }
}
