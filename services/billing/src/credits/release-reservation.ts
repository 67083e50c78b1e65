import { Injectable } from '@nestjs/common';
import { createEvent, CreditsReleasedV1 } from '@conveyor/contracts';
import { OutboxWriter } from '@conveyor/outbox';
import type { EntityManager } from 'typeorm';
import { lockAccount } from '../accounts/lock-account';
import { BILLING_SOURCE } from '../billing-source';
import { appendEntry } from '../ledger/append-entry';
import { entryEffect } from '../ledger/entry-kinds';
import { recordOutcome } from './job-outcomes';
import { reservationOf } from './reservations';

export type ReleaseReason = 'failed' | 'canceled' | 'rejected';

/**
 * Gives back a job's hold after it failed, was canceled or was rejected, once. The outcome is
 * recorded first in any case: a job that ended before its submission reached billing has no
 * hold yet, and the record keeps the late submission from making one.
 */
@Injectable()
export class ReleaseReservation {
  constructor(private readonly outbox: OutboxWriter) {}

  async execute(manager: EntityManager, job: { jobId: string; userId: string }, reason: ReleaseReason): Promise<void> {
    const { jobId, userId } = job;
    const account = await lockAccount(manager, userId);
    await recordOutcome(manager, jobId, userId, reason);
    if (!account) return;
    const reservation = await reservationOf(manager, jobId);
    // No hold (billing itself refused the job, or the job ended first), or already settled.
    if (!reservation || reservation.settledBy) return;

    const release = await appendEntry(manager, userId, {
      ...entryEffect.release(reservation.credits),
      jobId,
      reservationId: reservation.entry.id,
    });
    await this.outbox.add(
      createEvent(CreditsReleasedV1, {
        source: BILLING_SOURCE,
        subject: jobId,
        data: {
          jobId,
          userId,
          amount: reservation.credits,
          balance: release.available,
          reason,
          releasedAt: release.createdAt.toISOString(),
        },
      }),
      manager,
    );
  }
}
