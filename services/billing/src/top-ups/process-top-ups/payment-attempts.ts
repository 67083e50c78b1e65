import type { DataSource, EntityManager } from 'typeorm';
import { queryRows } from '@conveyor/persistence';

/** A pending payment this instance has claimed for one call to the provider. */
export interface ClaimedPayment {
  id: string;
  userId: string;
  credits: number;
  /** Including the call about to be made. */
  attempts: number;
}

/**
 * Claims up to `limit` due payments. `FOR UPDATE SKIP LOCKED` lets any number of instances
 * claim at once without taking the same row; the claim then commits at once, so no row lock
 * is held while the provider is called. Instead `next_attempt_at` is pushed out by `leaseMs`:
 * if this instance dies mid-call, the payment becomes due again when the lease runs out.
 */
export function claimDuePayments(dataSource: DataSource, limit: number, leaseMs: number): Promise<ClaimedPayment[]> {
  return dataSource.transaction((manager) =>
    queryRows<ClaimedPayment>(
      manager,
      `UPDATE "billing"."payments" SET attempts = attempts + 1, next_attempt_at = now() + $2 * interval '1 millisecond'
       WHERE id IN (
         SELECT id FROM "billing"."payments" WHERE status = 'pending' AND next_attempt_at <= now()
         ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING id, user_id AS "userId", credits, attempts`,
      [limit, leaseMs],
    ),
  );
}

/**
 * Sets when the payment is due again. Only the latest claim may do so: an instance whose lease
 * ran out (and whose payment someone else claimed since) changes nothing. An `interrupted`
 * call (this instance is shutting down) is not counted as an attempt.
 */
export async function rescheduleAttempt(
  manager: EntityManager,
  payment: ClaimedPayment,
  { delayMs, error, interrupted = false }: { delayMs: number; error: string; interrupted?: boolean },
): Promise<void> {
  await manager.query(
    `UPDATE "billing"."payments"
     SET next_attempt_at = now() + $3 * interval '1 millisecond', last_error = $4, attempts = attempts - $5
     WHERE id = $1 AND status = 'pending' AND attempts = $2`,
    [payment.id, payment.attempts, delayMs, error.slice(0, 1000), interrupted ? 1 : 0],
  );
}
