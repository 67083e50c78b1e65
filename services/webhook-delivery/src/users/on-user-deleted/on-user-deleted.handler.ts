import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { UserDeletedV1, type EventOf } from '@conveyor/contracts';
import type { EventContext } from '@conveyor/messaging';
import { lockUser } from '../deleted-users';

/**
 * A deleted user's webhooks stop: every endpoint is disabled (`user_deleted`), whatever was still
 * pending is dropped undelivered, and every signing secret is erased. The user is remembered, so
 * later events about them (the cancels of their jobs) make no messages and their still-valid
 * access tokens are refused. An attempt already on the wire when the event arrives finishes,
 * but its delivery is no longer pending and is not retried. Each statement only touches what is
 * not done yet, so a second delivery of the event changes nothing.
 */
@Controller()
export class OnUserDeletedHandler {
  @EventPattern(UserDeletedV1.type)
  async handle(@Payload() event: EventOf<typeof UserDeletedV1>, @Ctx() { manager }: EventContext): Promise<void> {
    const { userId, deletedAt } = event.data;
    await lockUser(manager, userId, 'deletion');
    await manager.query(`INSERT INTO webhooks.deleted_users (user_id, deleted_at) VALUES ($1, $2) ON CONFLICT (user_id) DO NOTHING`, [
      userId,
      deletedAt,
    ]);
    await manager.query(
      `UPDATE webhooks.endpoints SET disabled_at = $2, disabled_reason = 'user_deleted', updated_at = clock_timestamp()
        WHERE user_id = $1 AND disabled_at IS NULL`,
      [userId, deletedAt],
    );
    await manager.query(
      `UPDATE webhooks.deliveries
          SET status = 'dropped', finished_at = clock_timestamp(), last_error = 'the account was deleted',
              updated_at = clock_timestamp()
        WHERE user_id = $1 AND status = 'pending'`,
      [userId],
    );
    await manager.query(`DELETE FROM webhooks.secrets WHERE user_id = $1`, [userId]);
  }
}
