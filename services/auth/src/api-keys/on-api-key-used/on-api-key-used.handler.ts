import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ApiKeyUsedV1, type EventOf } from '@conveyor/contracts';
import type { EventContext } from '@conveyor/messaging';
import { ApiKey } from '../api-key.entity';

/**
 * Records when a key was last used, as reported by the jobs service (at most once a minute
 * per key). Reports can arrive out of order, so the time only ever moves forward: the update
 * applies only to an older (or missing) time. Two reports for one key handled at once queue
 * on the row lock, and the second re-checks that condition against the first one's result.
 *
 * A report for a key auth does not know, or whose owner does not match, changes nothing and
 * is not retried: keys are created here before jobs can see them, so waiting would not make
 * it known. Revoked keys are still updated, since the use may have happened just before the
 * revocation.
 */
@Controller()
export class OnApiKeyUsedHandler {
  @EventPattern(ApiKeyUsedV1.type)
  async handle(@Payload() event: EventOf<typeof ApiKeyUsedV1>, @Ctx() context: EventContext): Promise<void> {
    const { keyId, userId, usedAt } = event.data;
    await context.manager
      .createQueryBuilder()
      .update(ApiKey)
      .set({ lastUsedAt: new Date(usedAt) })
      .where('id = :keyId AND user_id = :userId', { keyId, userId })
      .andWhere('(last_used_at IS NULL OR last_used_at < :usedAt)', { usedAt: new Date(usedAt) })
      .execute();
  }
}
