import { Controller, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { createEvent, CreditsCapturedV1, JobSucceededV1, type EventOf } from '@conveyor/contracts';
import type { EventContext } from '@conveyor/messaging';
import { OutboxWriter } from '@conveyor/outbox';
import { lockAccount } from '../../accounts/lock-account';
import { BILLING_SOURCE } from '../../billing-source';
import { appendEntry } from '../../ledger/append-entry';
import { entryEffect } from '../../ledger/entry-kinds';
import { ReservationNotFoundError } from '../credits.errors';
import { outcomeOf, recordOutcome } from '../job-outcomes';
import { reservationOf } from '../reservations';

/**
 * Charges a successful job: its hold becomes a capture, once. A success that overtook the
 * job's reservation is never dropped: the handler throws, the event is retried until the
 * reservation is there, and lands in the dead-letter queue (visible, replayable) if it never
 * comes.
 */
@Controller()
export class OnJobSucceededHandler {
  private readonly logger = new Logger(OnJobSucceededHandler.name);

  constructor(private readonly outbox: OutboxWriter) {}

  @EventPattern(JobSucceededV1.type)
  async handle(@Payload() event: EventOf<typeof JobSucceededV1>, @Ctx() { manager }: EventContext): Promise<void> {
    const { jobId, userId } = event.data;
    const account = await lockAccount(manager, userId);
    const reservation = account ? await reservationOf(manager, jobId) : undefined;
    if (!reservation) {
      const earlier = await outcomeOf(manager, jobId);
      if (!earlier) throw new ReservationNotFoundError(jobId);
      // The job had already ended another way before any credits were held: nothing to charge.
      this.logger.warn(`Job ${jobId} succeeded after billing recorded it as ${earlier}; no credits were held to charge`);
      return;
    }
    await recordOutcome(manager, jobId, userId, 'succeeded');
    if (reservation.settledBy) {
      if (reservation.settledBy === 'release') {
        this.logger.warn(`Job ${jobId} succeeded after its reservation was released; it is not charged`);
      }
      return;
    }
    const capture = await appendEntry(manager, userId, {
      ...entryEffect.capture(reservation.credits),
      jobId,
      reservationId: reservation.entry.id,
    });
    await this.outbox.add(
      createEvent(CreditsCapturedV1, {
        source: BILLING_SOURCE,
        subject: jobId,
        data: {
          jobId,
          userId,
          amount: reservation.credits,
          balance: capture.available,
          capturedAt: capture.createdAt.toISOString(),
        },
      }),
      manager,
    );
  }
}
