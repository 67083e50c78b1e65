import { Injectable } from '@nestjs/common';
import { ApiKeyRevokedV1, createEvent, isUuid } from '@conveyor/contracts';
import { OutboxWriter } from '@conveyor/outbox';
import { DataSource } from 'typeorm';
import { ApiKey } from '../api-key.entity';
import { ApiKeyNotFoundError } from '../api-keys.errors';


export type RevokeOutcome = 'REVOKED' | 'ALREADY_REVOKED';

/**
 * Revokes one of the caller's keys and emits `auth.api_key.revoked.v1`, both at most once:
 * the conditional update lets only one of several concurrent revocations change the row, and
 * only that one writes the event. Revoking again is a success that changes nothing.
 */
@Injectable()
export class RevokeApiKeyHandler {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
  ) {}

  async execute(userId: string, id: string): Promise<RevokeOutcome> {
    // An id that is not a UUID names no key; Postgres would refuse to compare it.
    if (!isUuid(id)) throw new ApiKeyNotFoundError();
    const keyId = id.toLowerCase();
    return this.dataSource.transaction(async (manager) => {
      const revokedAt = new Date();
      const result = await manager
        .createQueryBuilder()
        .update(ApiKey)
        .set({ revokedAt })
        .where('id = :keyId AND user_id = :userId AND revoked_at IS NULL', { keyId, userId })
        .execute();
      if (result.affected === 0) {
        // Another user's key is reported exactly like a key that does not exist.
        const exists = await manager.existsBy(ApiKey, { id: keyId, userId });
        if (!exists) throw new ApiKeyNotFoundError();
        return 'ALREADY_REVOKED';
      }
      await this.outbox.add(
        createEvent(ApiKeyRevokedV1, {
          source: '/conveyor/auth',
          subject: keyId,
          data: { keyId, userId, revokedAt: revokedAt.toISOString() },
        }),
        manager,
      );
      return 'REVOKED';
    });
  }
}
