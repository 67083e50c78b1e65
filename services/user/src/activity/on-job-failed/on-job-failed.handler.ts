import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { JobFailedV1, type EventOf } from '@conveyor/contracts';
import type { EventContext } from '@conveyor/messaging';
import { recordJobOutcome } from '../record-job-outcome';

/** A job that failed for good counts on its owner's profile; for an unknown or deleted user nothing is kept. */
@Controller()
export class OnJobFailedHandler {
  @EventPattern(JobFailedV1.type)
  async handle(@Payload() event: EventOf<typeof JobFailedV1>, @Ctx() { manager }: EventContext): Promise<void> {
    await recordJobOutcome(manager, { userId: event.data.userId, outcome: 'failed', endedAt: event.data.finishedAt });
  }
}
