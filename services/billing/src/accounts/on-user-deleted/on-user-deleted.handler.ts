import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { UserDeletedV1, type EventOf } from '@conveyor/contracts';
import type { EventContext } from '@conveyor/messaging';
import { STARTER_PLAN } from '../on-user-registered/on-user-registered.handler';

/**
 * Closes the deleted user's account: no more reservations (a late submission is rejected with
 * `account_closed`), grants or top-ups. The ledger is kept as it is; billing holds no personal
 * data beyond the user id. Holds of jobs still running are settled as usual when jobs cancels
 * them. If the deletion overtook the registration, a closed account is opened now, so the late
 * registration (`ON CONFLICT DO NOTHING`) cannot open a live one. A second delivery changes nothing.
 */
@Controller()
export class OnUserDeletedHandler {
  @EventPattern(UserDeletedV1.type)
  async handle(@Payload() event: EventOf<typeof UserDeletedV1>, @Ctx() { manager }: EventContext): Promise<void> {
    const { userId, deletedAt } = event.data;
    await manager.query(
      `INSERT INTO "billing"."accounts" (user_id, plan, plan_revision, closed_at) VALUES ($1, $2, 1, $3)
       ON CONFLICT (user_id) DO UPDATE SET closed_at = EXCLUDED.closed_at, updated_at = now()
         WHERE "accounts"."closed_at" IS NULL`,
      [userId, STARTER_PLAN, new Date(deletedAt)],
    );
  }
}
