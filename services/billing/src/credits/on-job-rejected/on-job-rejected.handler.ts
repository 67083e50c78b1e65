import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { JobRejectedV1, type EventOf } from '@conveyor/contracts';
import type { EventContext } from '@conveyor/messaging';
import { ReleaseReservation } from '../release-reservation';

/** A rejected job gives its held credits back (if it held any). */
@Controller()
export class OnJobRejectedHandler {
  constructor(private readonly release: ReleaseReservation) {}

  @EventPattern(JobRejectedV1.type)
  async handle(@Payload() event: EventOf<typeof JobRejectedV1>, @Ctx() { manager }: EventContext): Promise<void> {
    await this.release.execute(manager, event.data, 'rejected');
  }
}
