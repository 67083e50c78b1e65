import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { JobSucceededV1, type EventOf } from '@conveyor/contracts';
import type { EventContext } from '@conveyor/messaging';
import { recordJobOutcome } from '../record-job-outcome';

/** A job that succeeded counts on its owner's profile; for an unknown or deleted user nothing is kept. */
@Controller()
export class OnJobSucceededHandler {
  @EventPattern(JobSucceededV1.type)
  async handle(@Payload() event: EventOf<typeof JobSucceededV1>, @Ctx() { manager }: EventContext): Promise<void> {
    await recordJobOutcome(manager, { userId: event.data.userId, outcome: 'succeeded', endedAt: event.data.finishedAt });
  }
}
