import type { EntityManager } from 'typeorm';

/** How a user's jobs have ended so far, as shown on the profile. */
export interface JobActivity {
  succeeded: number;
  failed: number;
  canceled: number;
  /** When the most recent of those jobs ended, ISO 8601; null before the first. */
  lastJobAt: string | null;
}

export interface JobActivityRow {
  succeeded: number | null;
  failed: number | null;
  canceled: number | null;
  last_job_at: Date | null;
}

/** A user without a row (no job has ended yet) has zero of everything. */
export const jobActivityOf = (row: JobActivityRow | undefined): JobActivity => ({
  succeeded: row?.succeeded ?? 0,
  failed: row?.failed ?? 0,
  canceled: row?.canceled ?? 0,
  lastJobAt: row?.last_job_at?.toISOString() ?? null,
});

export async function findJobActivity(manager: EntityManager, userId: string): Promise<JobActivity> {
  const [row] = await manager.query<JobActivityRow[]>(
    'SELECT succeeded, failed, canceled, last_job_at FROM users.job_activity WHERE user_id = $1',
    [userId],
  );
  return jobActivityOf(row);
}

/** Part of deleting an account: the anonymous tombstone keeps no history of the person's work. */
export async function forgetJobActivity(manager: EntityManager, userId: string): Promise<void> {
  await manager.query('DELETE FROM users.job_activity WHERE user_id = $1', [userId]);
}
