import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { CreditsReservedV1, type EventOf } from '@conveyor/contracts';
import type { EventContext } from '@conveyor/messaging';
import { OutboxWriter } from '@conveyor/outbox';
import { captureTraceContext } from '@conveyor/tracing';
import { queryRows } from '@conveyor/persistence';
import { announceWork } from '../run-jobs/work-tokens';
import { UnknownJobError } from './unknown-job.error';

/**
 * Billing holds the job's cost: the job may run. `pending → queued`, and a "work available"
 * token for the client is written in the same transaction, so a worker gets it once this
 * commits. The job also remembers this trace, so the worker that runs it continues it.
 *
 * Only `pending` moves: a reservation arriving for a job already queued, running or finished
 * (a duplicate, or late after a cancel) changes nothing. (`statusesBefore('queued')` would
 * also allow `running`, which is the retry path, not this one.)
 */
@Controller()
export class OnCreditsReservedHandler {
  constructor(private readonly outbox: OutboxWriter) {}

  @EventPattern(CreditsReservedV1.type)
  async handle(@Payload() event: EventOf<typeof CreditsReservedV1>, @Ctx() context: EventContext): Promise<void> {
    const { manager } = context;
    const { jobId } = event.data;
    const queued = await queryRows<{ id: string; user_id: string }>(
      manager,
      `UPDATE jobs.jobs
       SET status = 'queued', queued_at = clock_timestamp(), trace_context = $2::jsonb,
           version = version + 1, updated_at = clock_timestamp()
       WHERE id = $1 AND status = 'pending' RETURNING id, user_id`,
      [jobId, JSON.stringify(captureTraceContext())],
    );
    if (queued.length > 0) {
      await announceWork(this.outbox, manager, { userId: queued[0].user_id, jobId, cause: 'queued' });
      return;
    }
    const [job] = await manager.query(`SELECT 1 FROM jobs.jobs WHERE id = $1`, [jobId]);
    if (!job) throw new UnknownJobError(jobId);
  }
}
