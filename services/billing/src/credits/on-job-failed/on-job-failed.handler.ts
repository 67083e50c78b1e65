import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { JobFailedV1, type EventOf } from '@conveyor/contracts';
import type { EventContext } from '@conveyor/messaging';
import { ReleaseReservation } from '../release-reservation';

/** A failed job gives its held credits back (if it held any). */
@Controller()
export class OnJobFailedHandler {
  constructor(private readonly release: ReleaseReservation) {}

  @EventPattern(JobFailedV1.type)
  async handle(@Payload() event: EventOf<typeof JobFailedV1>, @Ctx() { manager }: EventContext): Promise<void> {
    await this.release.execute(manager, event.data, 'failed');
  }
}
