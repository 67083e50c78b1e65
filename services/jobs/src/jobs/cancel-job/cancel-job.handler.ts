import { Injectable } from '@nestjs/common';
import { createEvent, JobCanceledV1 } from '@conveyor/contracts';
import { OutboxWriter } from '@conveyor/outbox';
import { queryRows } from '@conveyor/persistence';
import { DataSource } from 'typeorm';
import { JOB_CANCELED_CHANNEL } from '../run-jobs/job-channels';
import { announceWork } from '../run-jobs/work-tokens';
import { Job } from '../job.entity';
import { canMove, statusesBefore, type JobStatus } from '../job-status';
import { assertJobId, JobNotCancelableError, JobNotFoundError } from '../jobs.errors';
import { jobFacts, JOBS_SOURCE } from '../job-facts';
import { recordJobFinished } from '../job-metrics';

/**
 * Cancels a pending, queued or running job in one transaction: the guarded status change,
 * `jobs.job.canceled.v1` (billing releases the reservation) and a NOTIFY on which the worker
 * running the job aborts it. Canceling a running job frees a slot, and canceling a pending one
 * stops it holding back the client's later jobs: either writes a "work available" token too.
 * (A queued job blocks nothing, so its cancel needs none.) The row is locked first, so `canceledFrom` is the status the
 * change really left, even when the worker is moving the job at the same moment.
 */
@Injectable()
export class CancelJobHandler {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
  ) {}

  async execute(userId: string, id: string): Promise<Job> {
    assertJobId(id);
    return this.dataSource.transaction(async (manager) => {
      const [current] = await manager.query<{ status: JobStatus }[]>(
        `SELECT status FROM jobs.jobs WHERE id = $1 AND user_id = $2 FOR UPDATE`,
        [id, userId],
      );
      if (!current) throw new JobNotFoundError();
      if (!canMove(current.status, 'canceled')) throw new JobNotCancelableError(current.status);
      const canceled = await queryRows(
        manager,
        `UPDATE jobs.jobs
            SET status = 'canceled', version = version + 1, finished_at = now(), updated_at = now()
          WHERE id = $1 AND status = ANY($2::text[])
          RETURNING 1`,
        [id, statusesBefore('canceled')],
      );
      if (canceled.length === 0) throw new JobNotCancelableError(current.status);
      const job = await manager.findOneByOrFail(Job, { id });
      await this.outbox.add(
        createEvent(JobCanceledV1, {
          source: JOBS_SOURCE,
          subject: id,
          data: {
            ...jobFacts(job),
            status: 'canceled',
            canceledFrom: current.status as 'pending' | 'queued' | 'running',
            canceledAt: (job.finishedAt ?? new Date()).toISOString(),
          },
        }),
        manager,
      );
      await manager.query(`SELECT pg_notify($1, $2)`, [JOB_CANCELED_CHANNEL, id]);
      if (current.status === 'running' || current.status === 'pending') {
        const cause = current.status === 'running' ? 'slot_freed' : 'order_unblocked';
        await announceWork(this.outbox, manager, { userId, jobId: id, cause });
      }
      return job;
    }).then((job) => {
      recordJobFinished(job.type, 'canceled');
      return job;
    });
  }
}
