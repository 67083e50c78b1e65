import { createEvent, PaymentFailedV1, PaymentSucceededV1 } from '@conveyor/contracts';
import type { OutboxWriter } from '@conveyor/outbox';
import type { EntityManager } from 'typeorm';
import { lockAccount } from '../../accounts/lock-account';
import { BILLING_SOURCE } from '../../billing-source';
import { appendEntry } from '../../ledger/append-entry';
import { entryEffect } from '../../ledger/entry-kinds';
import { queryRows } from '@conveyor/persistence';
import type { ClaimedPayment } from './payment-attempts';

/**
 * Marks the payment succeeded, grants its credits and emits `billing.payment.succeeded.v1`,
 * all in the caller's transaction. Only a pending payment moves, so a payment charged twice
 * (a lease that ran out mid-call) still grants once; the ledger's unique top-up per payment
 * backs that up. Returns whether this call was the one that granted.
 */
export async function recordSuccess(manager: EntityManager, outbox: OutboxWriter, payment: ClaimedPayment): Promise<boolean> {
  await lockAccount(manager, payment.userId);
  const moved = await queryRows<{ completed_at: Date }>(
    manager,
    `UPDATE "billing"."payments" SET status = 'succeeded', completed_at = now(), last_error = NULL
     WHERE id = $1 AND status = 'pending' RETURNING completed_at`,
    [payment.id],
  );
  if (moved.length === 0) return false;
  await appendEntry(manager, payment.userId, { ...entryEffect.topUp(payment.credits), paymentId: payment.id });
  await outbox.add(
    createEvent(PaymentSucceededV1, {
      source: BILLING_SOURCE,
      subject: payment.id,
      data: {
        paymentId: payment.id,
        userId: payment.userId,
        credits: payment.credits,
        attempts: payment.attempts,
        succeededAt: moved[0].completed_at.toISOString(),
      },
    }),
    manager,
  );
  return true;
}

/** Gives the payment up (declined, or out of attempts) and emits `billing.payment.failed.v1`, once. */
export async function recordFailure(
  manager: EntityManager,
  outbox: OutboxWriter,
  payment: ClaimedPayment,
  reason: string,
  error: string,
): Promise<boolean> {
  const moved = await queryRows<{ completed_at: Date }>(
    manager,
    `UPDATE "billing"."payments" SET status = 'failed', failure_reason = $2, last_error = $3, completed_at = now()
     WHERE id = $1 AND status = 'pending' RETURNING completed_at`,
    [payment.id, reason, error.slice(0, 1000)],
  );
  if (moved.length === 0) return false;
  await outbox.add(
    createEvent(PaymentFailedV1, {
      source: BILLING_SOURCE,
      subject: payment.id,
      data: {
        paymentId: payment.id,
        userId: payment.userId,
        credits: payment.credits,
        attempts: Math.max(1, payment.attempts),
        reason,
        failedAt: moved[0].completed_at.toISOString(),
      },
    }),
    manager,
  );
  return true;
}
