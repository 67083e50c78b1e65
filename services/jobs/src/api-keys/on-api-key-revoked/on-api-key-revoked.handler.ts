import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ApiKeyRevokedV1, type EventOf } from '@conveyor/contracts';
import type { EventContext } from '@conveyor/messaging';

/**
 * Revokes a key in the projection; the next request with it is refused (the commit's NOTIFY
 * drops the key from every instance's cache, see ApiKeyAuthenticator). When the create has
 * not arrived yet, a tombstone row remembers the revoke so the late create cannot bring the
 * key to life.
 */
@Controller()
export class OnApiKeyRevokedHandler {
  @EventPattern(ApiKeyRevokedV1.type)
  async handle(@Payload() event: EventOf<typeof ApiKeyRevokedV1>, @Ctx() context: EventContext): Promise<void> {
    const { keyId, userId, revokedAt } = event.data;
    await context.manager.query(
      `INSERT INTO jobs.api_keys AS k (key_id, user_id, revoked_at)
       VALUES ($1, $2, $3)
       ON CONFLICT (key_id) DO UPDATE SET revoked_at = COALESCE(k.revoked_at, EXCLUDED.revoked_at)`,
      [keyId, userId, revokedAt],
    );
  }
}
