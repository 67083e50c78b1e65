import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { UserRegisteredV1, type EventOf } from '@conveyor/contracts';
import type { EventContext } from '@conveyor/messaging';
import { Profile } from '../profile.entity';

/**
 * Materialises the profile of a newly registered user. The inbox already makes a redelivery
 * a no-op; `orIgnore` also keeps a profile that a later event (e.g. an update that overtook
 * this one) created first.
 */
@Controller()
export class OnUserRegisteredHandler {
  @EventPattern(UserRegisteredV1.type)
  async handle(@Payload() event: EventOf<typeof UserRegisteredV1>, @Ctx() context: EventContext): Promise<void> {
    const { userId, email, name, registeredAt } = event.data;
    await context.manager
      .createQueryBuilder()
      .insert()
      .into(Profile)
      .values({ userId, email, name, registeredAt: new Date(registeredAt) })
      .orIgnore()
      .execute();
  }
}
