import { Injectable } from '@nestjs/common';
import { createEvent, UserRegisteredV1 } from '@conveyor/contracts';
import { OutboxWriter } from '@conveyor/outbox';
import { isUniqueViolation } from '@conveyor/persistence';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { EmailTakenError } from '../accounts.errors';
import { Credential } from '../credential.entity';
import { PasswordHasher } from '../password-hasher';
import { AdminPromotion } from '../admin-promotion';
import type { RegisterAccountRequest } from './register-account.request';

/** Creates the account and its `auth.user.registered.v1` event in one transaction. */
@Injectable()
export class RegisterAccountHandler {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly hasher: PasswordHasher,
    private readonly promotion: AdminPromotion,
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
    try {
      await this.dataSource.transaction(async (manager) => {
        await manager.insert(Credential, credential);
        credential.roles = await this.promotion.applyTo(credential, manager);
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
    return credential;
  }
}
