import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { CreditsRejectedV1, createEvent, JobRejectedV1, type EventOf } from '@conveyor/contracts';
import type { EventContext } from '@conveyor/messaging';
import { OutboxWriter } from '@conveyor/outbox';
import { statusesBefore } from '../job-status';
import { JOB_QUEUED_CHANNEL } from '../run-jobs/job-channels';
import { JOB_ROW_COLUMNS, jobFacts, updatedRows, type JobRow } from '../run-jobs/job-row';
import { UnknownJobError } from '../on-credits-reserved/unknown-job.error';

/**
 * Billing cannot hold the job's cost: `pending → rejected` with billing's reason, and
 * `jobs.job.rejected.v1`. A job that already left `pending` (canceled meanwhile, or this is a
 * duplicate) stays as it is and nothing is emitted. The workers are woken too: a pending job
 * holds back its client's later queued jobs (submission order), and this one no longer does.
 */
@Controller()
export class OnCreditsRejectedHandler {
  constructor(private readonly outbox: OutboxWriter) {}

  @EventPattern(CreditsRejectedV1.type)
  async handle(@Payload() event: EventOf<typeof CreditsRejectedV1>, @Ctx() context: EventContext): Promise<void> {
    const { manager } = context;
    const { jobId, reason } = event.data;
    const [job] = updatedRows<JobRow & { finished_at: Date }>(
      await manager.query(
        `UPDATE jobs.jobs j
         SET status = 'rejected', reason = $2, finished_at = clock_timestamp(),
             version = j.version + 1, updated_at = clock_timestamp()
         WHERE j.id = $1 AND j.status = ANY($3) RETURNING ${JOB_ROW_COLUMNS('j')}, j.finished_at`,
        [jobId, reason, statusesBefore('rejected')],
      ),
    );
    if (!job) {
      const [known] = await manager.query(`SELECT 1 FROM jobs.jobs WHERE id = $1`, [jobId]);
      if (!known) throw new UnknownJobError(jobId);
      return;
    }
    const data = { ...jobFacts(job), status: 'rejected' as const, reason, rejectedAt: job.finished_at.toISOString() };
    await this.outbox.add(createEvent(JobRejectedV1, { source: '/conveyor/jobs', subject: jobId, data }), manager);
    await manager.query(`SELECT pg_notify($1, '')`, [JOB_QUEUED_CHANNEL]);
  }
}
