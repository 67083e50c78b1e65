import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ApiKeyRevokedV1, createEvent, UserDeletedV1, UserDisabledV1, type EventOf } from '@conveyor/contracts';
import type { EventContext } from '@conveyor/messaging';
import { OutboxWriter } from '@conveyor/outbox';
import { queryRows } from '@conveyor/persistence';
import { RefreshTokens } from '../../sessions/refresh-tokens';

const SOURCE = '/conveyor/auth';

/**
 * A deleted user loses every way in: the account is disabled and its email and name erased (the
 * email is free to register again), every refresh-token family and every API key is revoked,
 * each key with its `auth.api_key.revoked.v1` so jobs stops accepting it. All in the inbox's
 * transaction; the guarded UPDATE makes a second delivery (or an unknown user) change nothing.
 * Access tokens already issued run out within their lifetime.
 */
@Controller()
export class OnUserDeletedHandler {
  constructor(
    private readonly outbox: OutboxWriter,
    private readonly refreshTokens: RefreshTokens,
  ) {}

  @EventPattern(UserDeletedV1.type)
  async handle(@Payload() event: EventOf<typeof UserDeletedV1>, @Ctx() context: EventContext): Promise<void> {
    const { userId } = event.data;
    const { manager } = context;
    const disabled = await queryRows<{ disabled_at: Date }>(
      manager,
      `UPDATE auth.credentials
          SET disabled_at = now(), email = 'deleted-' || id || '@deleted.invalid', name = NULL, password_hash = '!'
        WHERE id = $1 AND disabled_at IS NULL
        RETURNING disabled_at`,
      [userId],
    );
    if (disabled.length === 0) return;
    const disabledAt = disabled[0].disabled_at.toISOString();

    await this.refreshTokens.revokeAllOf(userId, manager);
    const keys = await queryRows<{ id: string; revoked_at: Date }>(
      manager,
      `UPDATE auth.api_keys SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL RETURNING id, revoked_at`,
      [userId],
    );
    for (const key of keys) {
      await this.outbox.add(
        createEvent(ApiKeyRevokedV1, {
          source: SOURCE,
          subject: key.id,
          data: { keyId: key.id, userId, revokedAt: key.revoked_at.toISOString() },
        }),
        manager,
      );
    }
    await this.outbox.add(
      createEvent(UserDisabledV1, { source: SOURCE, subject: userId, data: { userId, reason: 'deleted', disabledAt } }),
      manager,
    );
  }
}
