import type { EntityManager } from 'typeorm';

export type JobOutcome = 'succeeded' | 'failed' | 'canceled' | 'rejected';

/**
 * Remembers how a job ended and returns the outcome that counts: the first one billing heard
 * of. The jobs service never moves a job out of a terminal status, so a second, different
 * outcome can only be a stale or broken event.
 */
export async function recordOutcome(
  manager: EntityManager,
  jobId: string,
  userId: string,
  outcome: JobOutcome,
): Promise<JobOutcome> {
  const inserted: unknown[] = await manager.query(
    `INSERT INTO "billing"."job_outcomes" (job_id, user_id, outcome) VALUES ($1, $2, $3)
     ON CONFLICT (job_id) DO NOTHING RETURNING 1`,
    [jobId, userId, outcome],
  );
  if (inserted.length === 1) return outcome;
  // A separate statement: its snapshot sees the row that won the conflict, even one that a
  // concurrent transaction committed while the insert above waited for it.
  return (await outcomeOf(manager, jobId)) ?? outcome;
}

export async function outcomeOf(manager: EntityManager, jobId: string): Promise<JobOutcome | undefined> {
  const rows: { outcome: JobOutcome }[] = await manager.query(
    `SELECT outcome FROM "billing"."job_outcomes" WHERE job_id = $1`,
    [jobId],
  );
  return rows[0]?.outcome;
}
