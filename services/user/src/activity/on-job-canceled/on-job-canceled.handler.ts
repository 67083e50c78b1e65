import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { JobCanceledV1, type EventOf } from '@conveyor/contracts';
import type { EventContext } from '@conveyor/messaging';
import { recordJobOutcome } from '../record-job-outcome';

/** A canceled job counts on its owner's profile; for an unknown or deleted user nothing is kept. */
@Controller()
export class OnJobCanceledHandler {
  @EventPattern(JobCanceledV1.type)
  async handle(@Payload() event: EventOf<typeof JobCanceledV1>, @Ctx() { manager }: EventContext): Promise<void> {
    await recordJobOutcome(manager, { userId: event.data.userId, outcome: 'canceled', endedAt: event.data.canceledAt });
  }
}
