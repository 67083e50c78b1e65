import type { EntityManager } from 'typeorm';

export type JobOutcome = 'succeeded' | 'failed' | 'canceled';

/** The column counting each outcome (a closed set, so never caller text in the SQL). */
const COLUMN: Record<JobOutcome, string> = { succeeded: 'succeeded', failed: 'failed', canceled: 'canceled' };

/**
 * Counts one finished job for its owner, in the consumer's inbox transaction (the inbox is what
 * makes a redelivery count nothing). Increments commute and `last_job_at` only moves forward,
 * so events applied in any order give the same row.
 *
 * Only a live profile gets counted: the profile row is locked (`FOR SHARE`) first, so a deletion
 * running at the same time either commits before (the lock then finds the profile deleted and
 * nothing is written) or waits until this transaction has committed and then removes the row
 * with the rest of the account. Without the lock, an upsert could land just after the deletion
 * removed the row and bring it back.
 */
export async function recordJobOutcome(
  manager: EntityManager,
  { userId, outcome, endedAt }: { userId: string; outcome: JobOutcome; endedAt: string },
): Promise<'COUNTED' | 'NO_LIVE_PROFILE'> {
  const live = await manager.query<unknown[]>(
    'SELECT 1 FROM users.profiles WHERE user_id = $1 AND deleted_at IS NULL FOR SHARE',
    [userId],
  );
  if (live.length === 0) return 'NO_LIVE_PROFILE';
  const column = COLUMN[outcome];
  await manager.query(
    `INSERT INTO users.job_activity AS a (user_id, ${column}, last_job_at) VALUES ($1, 1, $2)
     ON CONFLICT (user_id) DO UPDATE
       SET ${column} = a.${column} + 1, last_job_at = GREATEST(a.last_job_at, EXCLUDED.last_job_at)`,
    [userId, endedAt],
  );
  return 'COUNTED';
}
