import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { CreditsRejectedV1, type EventOf } from '@conveyor/contracts';
import type { EventContext } from '@conveyor/messaging';
import { OutboxWriter } from '@conveyor/outbox';
import { UnknownJobError } from '../on-credits-reserved/unknown-job.error';
import { rejectPendingJob } from '../reject-pending-job';

/**
 * Billing cannot hold the job's cost: the job is rejected with billing's reason. A duplicate,
 * or a job canceled meanwhile, changes nothing; a job not known yet is retried.
 */
@Controller()
export class OnCreditsRejectedHandler {
  constructor(private readonly outbox: OutboxWriter) {}

  @EventPattern(CreditsRejectedV1.type)
  async handle(@Payload() event: EventOf<typeof CreditsRejectedV1>, @Ctx() context: EventContext): Promise<void> {
    const { jobId, reason } = event.data;
    const outcome = await rejectPendingJob(context.manager, this.outbox, jobId, reason);
    if (outcome === 'UNKNOWN_JOB') throw new UnknownJobError(jobId);
  }
}
