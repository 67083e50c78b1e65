import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ApiKeyCreatedV1, type EventOf } from '@conveyor/contracts';
import type { EventContext } from '@conveyor/messaging';

/**
 * Adds a new key to the projection. A key already present is left alone; a tombstone left by
 * a revoke that overtook this event is filled in and stays revoked.
 */
@Controller()
export class OnApiKeyCreatedHandler {
  @EventPattern(ApiKeyCreatedV1.type)
  async handle(@Payload() event: EventOf<typeof ApiKeyCreatedV1>, @Ctx() context: EventContext): Promise<void> {
    const { keyId, userId, keyHash, prefix, scopes, createdAt } = event.data;
    await context.manager.query(
      `INSERT INTO jobs.api_keys AS k (key_id, user_id, key_hash, prefix, scopes, created_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (key_id) DO UPDATE
          SET key_hash = EXCLUDED.key_hash, prefix = EXCLUDED.prefix,
              scopes = EXCLUDED.scopes, created_at = EXCLUDED.created_at
        WHERE k.key_hash IS NULL`,
      [keyId, userId, keyHash, prefix, scopes, createdAt],
    );
  }
}
