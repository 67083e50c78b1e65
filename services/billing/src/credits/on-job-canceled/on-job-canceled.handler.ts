import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { JobCanceledV1, type EventOf } from '@conveyor/contracts';
import type { EventContext } from '@conveyor/messaging';
import { ReleaseReservation } from '../release-reservation';

/** A canceled job gives its held credits back (if it held any). */
@Controller()
export class OnJobCanceledHandler {
  constructor(private readonly release: ReleaseReservation) {}

  @EventPattern(JobCanceledV1.type)
  async handle(@Payload() event: EventOf<typeof JobCanceledV1>, @Ctx() { manager }: EventContext): Promise<void> {
    await this.release.execute(manager, event.data, 'canceled');
  }
}
