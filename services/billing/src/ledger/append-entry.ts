import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { queryRows } from '@conveyor/persistence';
import type { EntryEffect } from './entry-kinds';

export interface NewEntry extends EntryEffect {
  jobId?: string;
  paymentId?: string;
  /** The reserve entry that a capture or release settles. */
  reservationId?: string;
  note?: string | null;
}

export interface AppendedEntry {
  id: string;
  createdAt: Date;
  /** The account's balances after this entry. */
  available: number;
  reserved: number;
}

/**
 * The only way balances change: one ledger row and the matching change of the account's
 * cached balances, in the caller's transaction. Callers lock the account row first (see
 * lockAccount), so entries of one account are written one after the other.
 */
export async function appendEntry(manager: EntityManager, userId: string, entry: NewEntry): Promise<AppendedEntry> {
  const id = randomUUID();
  // One statement, one round trip: callers hold the account's lock while this runs.
  const [appended] = await queryRows<{ created_at: Date; available: number; reserved: number }>(
    manager,
    `WITH entry AS (
       INSERT INTO "billing"."ledger_entries" (id, user_id, kind, amount, held, job_id, payment_id, reservation_id, note)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING created_at
     ), balances AS (
       UPDATE "billing"."accounts" SET available = available + $4, reserved = reserved + $5, updated_at = now()
        WHERE user_id = $2 RETURNING available, reserved
     )
     SELECT entry.created_at, balances.available, balances.reserved FROM entry, balances`,
    [
      id,
      userId,
      entry.kind,
      entry.amount,
      entry.held,
      entry.jobId ?? null,
      entry.paymentId ?? null,
      entry.reservationId ?? null,
      entry.note ?? null,
    ],
  );
  // Callers lock the account first, so it exists; the transaction rolls back if it does not.
  if (!appended) throw new Error(`No billing account for user ${userId}`);
  return { id, createdAt: appended.created_at, available: appended.available, reserved: appended.reserved };
}
