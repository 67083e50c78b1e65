import { In, type EntityManager } from 'typeorm';
import { LedgerEntry } from '../ledger/ledger-entry.entity';

/** A job's hold and, once it ended, the entry that settled it (capture or release). */
export interface Reservation {
  entry: LedgerEntry;
  /** Credits held; what a capture charges or a release gives back. */
  credits: number;
  settledBy: 'capture' | 'release' | undefined;
}

/** Call with the account locked, so that the answer cannot change before the caller writes. */
export async function reservationOf(manager: EntityManager, jobId: string): Promise<Reservation | undefined> {
  const entries = await manager.findBy(LedgerEntry, { jobId, kind: In(['reserve', 'capture', 'release']) });
  const entry = entries.find((e) => e.kind === 'reserve');
  if (!entry) return undefined;
  const settlement = entries.find((e) => e.kind !== 'reserve');
  return { entry, credits: entry.held, settledBy: settlement?.kind as Reservation['settledBy'] };
}
