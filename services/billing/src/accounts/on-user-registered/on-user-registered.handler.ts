import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { UserRegisteredV1, type EventOf } from '@conveyor/contracts';
import type { EventContext } from '@conveyor/messaging';
import { OutboxWriter } from '@conveyor/outbox';
import { appendEntry } from '../../ledger/append-entry';
import { entryEffect } from '../../ledger/entry-kinds';
import { Plan } from '../../plans/plan.entity';
import { planChangedEvent } from '../plan-changed.event';

/** Every new client starts on this plan. */
export const STARTER_PLAN = 'basic';

/**
 * Opens the account of a newly registered user on the starter plan, grants the plan's
 * starter credits and tells the jobs service the plan (revision 1). The inbox drops a
 * redelivered event; `orIgnore` also keeps a second, different registration event for the
 * same user (e.g. a legacy `user.created`) from opening the account twice.
 */
@Controller()
export class OnUserRegisteredHandler {
  constructor(private readonly outbox: OutboxWriter) {}

  @EventPattern(UserRegisteredV1.type)
  async handle(@Payload() event: EventOf<typeof UserRegisteredV1>, @Ctx() { manager }: EventContext): Promise<void> {
    const { userId } = event.data;
    const plan = await manager.findOneByOrFail(Plan, { name: STARTER_PLAN });
    const opened: { opened_at: Date }[] = await manager.query(
      `INSERT INTO "billing"."accounts" (user_id, plan, plan_revision) VALUES ($1, $2, 1)
       ON CONFLICT (user_id) DO NOTHING RETURNING opened_at`,
      [userId, plan.name],
    );
    if (opened.length === 0) return;

    if (plan.starterCredits > 0) {
      await appendEntry(manager, userId, { ...entryEffect.grant(plan.starterCredits), note: `starter credits (${plan.name})` });
    }
    await this.outbox.add(planChangedEvent(userId, plan, 1, opened[0].opened_at), manager);
  }
}
