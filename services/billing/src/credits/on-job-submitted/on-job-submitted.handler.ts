import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { createEvent, CreditsRejectedV1, CreditsReservedV1, JobSubmittedV1, type EventOf } from '@conveyor/contracts';
import type { EventContext } from '@conveyor/messaging';
import { OutboxWriter } from '@conveyor/outbox';
import { lockAccount } from '../../accounts/lock-account';
import { BILLING_SOURCE } from '../../billing-source';
import { appendEntry } from '../../ledger/append-entry';
import { entryEffect } from '../../ledger/entry-kinds';
import { AccountNotOpenedYetError } from '../credits.errors';
import { costOf } from '../job-costs';
import { outcomeOf } from '../job-outcomes';
import { reservationOf } from '../reservations';

/**
 * Holds a new job's cost, or refuses the job when the account cannot pay for it. The account
 * row stays locked from the balance check to the ledger insert, so concurrent submissions of
 * one client are decided one after the other and can never overdraw it.
 */
@Controller()
export class OnJobSubmittedHandler {
  constructor(private readonly outbox: OutboxWriter) {}

  @EventPattern(JobSubmittedV1.type)
  async handle(@Payload() event: EventOf<typeof JobSubmittedV1>, @Ctx() { manager }: EventContext): Promise<void> {
    const { jobId, userId, type } = event.data;
    // Read before the lock: prices are not the account's, and the lock is held as briefly as can be.
    const cost = await costOf(manager, type);
    const account = await lockAccount(manager, userId);
    // Registration and submission travel separately; retrying gives the account time to open.
    if (!account) throw new AccountNotOpenedYetError(userId);
    // The job already ended (e.g. canceled while this event waited): nothing would release a hold.
    if (await outcomeOf(manager, jobId)) return;
    // Already held: the same submission published again under another event id.
    if (await reservationOf(manager, jobId)) return;

    if (account.closedAt || account.available < cost) {
      const rejection = {
        jobId,
        userId,
        reason: account.closedAt ? ('account_closed' as const) : ('insufficient_credits' as const),
        required: cost,
        balance: account.available,
        rejectedAt: new Date().toISOString(),
      };
      await this.outbox.add(createEvent(CreditsRejectedV1, { source: BILLING_SOURCE, subject: jobId, data: rejection }), manager);
      return;
    }
    const hold = await appendEntry(manager, userId, { ...entryEffect.reserve(cost), jobId });
    await this.outbox.add(
      createEvent(CreditsReservedV1, {
        source: BILLING_SOURCE,
        subject: jobId,
        data: { jobId, userId, amount: cost, balance: hold.available, reservedAt: hold.createdAt.toISOString() },
      }),
      manager,
    );
  }
}
