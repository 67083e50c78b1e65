import { createEvent, JobRejectedV1 } from '@conveyor/contracts';
import type { OutboxWriter } from '@conveyor/outbox';
import { queryRows } from '@conveyor/persistence';
import type { EntityManager } from 'typeorm';
import { statusesBefore } from './job-status';
import { announceWork } from './run-jobs/work-tokens';
import { JOB_ROW_COLUMNS, jobFactsOf, type JobRow } from './run-jobs/job-row';
import { JOBS_SOURCE } from './job-facts';
import { recordJobFinished } from './job-metrics';

export type RejectOutcome = 'REJECTED' | 'NOT_PENDING' | 'UNKNOWN_JOB';

/**
 * `pending → rejected` with a reason, and `jobs.job.rejected.v1`, in the caller's transaction.
 * A job that already left `pending` stays as it is and nothing is emitted. A "work available"
 * token goes with it: a pending job holds back its client's later jobs (submission order), and
 * this one no longer does.
 */
export async function rejectPendingJob(
  manager: EntityManager,
  outbox: OutboxWriter,
  jobId: string,
  reason: string,
): Promise<RejectOutcome> {
  const [job] = await queryRows<JobRow & { finished_at: Date }>(
    manager,
    `UPDATE jobs.jobs j
     SET status = 'rejected', reason = $2, finished_at = clock_timestamp(),
         version = j.version + 1, updated_at = clock_timestamp()
     WHERE j.id = $1 AND j.status = ANY($3) RETURNING ${JOB_ROW_COLUMNS('j')}, j.finished_at`,
    [jobId, reason, statusesBefore('rejected')],
  );
  if (!job) {
    const [known] = await manager.query(`SELECT 1 FROM jobs.jobs WHERE id = $1`, [jobId]);
    return known ? 'NOT_PENDING' : 'UNKNOWN_JOB';
  }
  const data = { ...jobFactsOf(job), status: 'rejected' as const, reason, rejectedAt: job.finished_at.toISOString() };
  await outbox.add(createEvent(JobRejectedV1, { source: JOBS_SOURCE, subject: jobId, data }), manager);
  await announceWork(outbox, manager, { userId: job.user_id, jobId, cause: 'order_unblocked' });
  recordJobFinished(job.type, 'rejected');
  return 'REJECTED';
}
