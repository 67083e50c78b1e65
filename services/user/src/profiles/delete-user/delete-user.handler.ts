import { Injectable } from '@nestjs/common';
import { createEvent, UserDeletedV1 } from '@conveyor/contracts';
import { OutboxWriter } from '@conveyor/outbox';
import { queryRows } from '@conveyor/persistence';
import { DataSource } from 'typeorm';
import { forgetJobActivity } from '../../activity/job-activity';
import { findLiveProfile } from '../live-profile';

/**
 * Deletes an account: the profile keeps only its id and dates (an anonymous tombstone), its job
 * summary goes, and `users.user.deleted.v1` tells every other service, in the same transaction.
 * The profile's row lock is what keeps a job event handled meanwhile from bringing the summary
 * back (see `recordJobOutcome`). A second delete
 * finds no live profile: 404, no second event.
 */
@Injectable()
export class DeleteUserHandler {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
  ) {}

  async execute(userId: string, deletedBy: 'self' | 'admin'): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const profile = await findLiveProfile(manager, userId, true);
      const [{ deleted_at: deletedAt }] = await queryRows<{ deleted_at: Date }>(
        manager,
        `UPDATE users.profiles SET email = NULL, name = NULL, deleted_at = now(), updated_at = now()
          WHERE user_id = $1 RETURNING deleted_at`,
        [profile.userId],
      );
      await forgetJobActivity(manager, profile.userId);
      await this.outbox.add(
        createEvent(UserDeletedV1, {
          source: '/conveyor/user',
          subject: profile.userId,
          data: { userId: profile.userId, deletedBy, deletedAt: deletedAt.toISOString() },
        }),
        manager,
      );
    });
  }
}
