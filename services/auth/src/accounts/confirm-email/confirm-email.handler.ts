import { Injectable } from '@nestjs/common';
import { createEvent, UserEmailConfirmedV1 } from '@conveyor/contracts';
import { OutboxWriter } from '@conveyor/outbox';
import { queryRows } from '@conveyor/persistence';
import { DataSource } from 'typeorm';
import { consumeAccountToken } from '../account-tokens';
import { InvalidAccountTokenError } from '../accounts.errors';

/** Spends the confirmation token and marks the email confirmed, with its event, once. */
@Injectable()
export class ConfirmEmailHandler {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
  ) {}

  async execute(token: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const userId = await consumeAccountToken(manager, token, 'confirm_email');
      if (!userId) throw new InvalidAccountTokenError();
      const [confirmed] = await queryRows<{ email: string; email_confirmed_at: Date }>(
        manager,
        `UPDATE auth.credentials SET email_confirmed_at = now()
          WHERE id = $1 AND email_confirmed_at IS NULL AND disabled_at IS NULL RETURNING email, email_confirmed_at`,
        [userId],
      );
      if (!confirmed) return;
      await this.outbox.add(
        createEvent(UserEmailConfirmedV1, {
          source: '/conveyor/auth',
          subject: userId,
          data: { userId, email: confirmed.email, confirmedAt: confirmed.email_confirmed_at.toISOString() },
        }),
        manager,
      );
    });
  }
}
