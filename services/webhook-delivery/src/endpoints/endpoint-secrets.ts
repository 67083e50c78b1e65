import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@conveyor/config';
import { queryRows } from '@conveyor/persistence';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { SecretBox } from '../signing/secret-box';
import { generateSigningSecret } from '../signing/webhook-signature';
import type { WebhookDeliveryConfig } from '../webhook-delivery.config';

/** Which secrets: an endpoint's own, or (null) the client's default, which signs jobs' webhookUrl deliveries. */
export interface SecretOwner {
  userId: string;
  endpointId: string | null;
}

const ownerSql = `user_id = $1 AND endpoint_id IS NOT DISTINCT FROM $2::uuid`;

/**
 * Signing secrets, sealed with SecretBox before they reach the database. A rotation keeps the
 * old secret until its grace ends; until then deliveries carry a signature for each.
 * Secrets are returned to the caller that creates or rotates them and are never logged.
 */
@Injectable()
export class EndpointSecrets {
  private readonly box: SecretBox;

  constructor(@Inject(APP_CONFIG) config: WebhookDeliveryConfig) {
    this.box = new SecretBox(config.WEBHOOK_SECRETS_KEY);
  }

  async create(manager: EntityManager, { userId, endpointId }: SecretOwner): Promise<string> {
    const id = randomUUID();
    const secret = generateSigningSecret();
    await manager.query(`INSERT INTO webhooks.secrets (id, user_id, endpoint_id, sealed) VALUES ($1, $2, $3, $4)`, [
      id,
      userId,
      endpointId,
      this.box.seal(secret, id),
    ]);
    return secret;
  }

  /** Ends the current secret after `graceSeconds` (0: now) and makes a new one current. */
  async rotate(manager: EntityManager, owner: SecretOwner, graceSeconds: number): Promise<{ secret: string; previousExpiresAt: Date | null }> {
    const [previous] = await queryRows<{ expires_at: Date }>(
      manager,
      `UPDATE webhooks.secrets SET expires_at = now() + make_interval(secs => $3)
        WHERE ${ownerSql} AND expires_at IS NULL RETURNING expires_at`,
      [owner.userId, owner.endpointId, graceSeconds],
    );
    return { secret: await this.create(manager, owner), previousExpiresAt: previous?.expires_at ?? null };
  }

  /**
   * The client's default secret; made on first use. Making it takes the client's lock, so two
   * first uses at once make one secret.
   */
  async currentDefault(manager: EntityManager, userId: string): Promise<string> {
    const [current] = await this.current(manager, { userId, endpointId: null });
    if (current) return current;
    await this.lockDefault(manager, userId);
    const [again] = await this.current(manager, { userId, endpointId: null });
    return again ?? this.create(manager, { userId, endpointId: null });
  }

  /** Serialises changes to one client's default secret until the transaction ends. */
  async lockDefault(manager: EntityManager, userId: string): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('webhooks.default-secret'), hashtext($1))`, [userId]);
  }

  /** Secrets that sign now, newest first: the current one and any still in their grace. */
  async signing(db: EntityManager | DataSource, owner: SecretOwner): Promise<string[]> {
    const rows = await db.query<{ id: string; sealed: string }[]>(
      `SELECT id, sealed FROM webhooks.secrets
        WHERE ${ownerSql} AND (expires_at IS NULL OR expires_at > now())
        ORDER BY created_at DESC`,
      [owner.userId, owner.endpointId],
    );
    return rows.map((row) => this.box.open(row.sealed, row.id));
  }

  private async current(db: EntityManager, owner: SecretOwner): Promise<string[]> {
    const rows = await db.query<{ id: string; sealed: string }[]>(
      `SELECT id, sealed FROM webhooks.secrets WHERE ${ownerSql} AND expires_at IS NULL`,
      [owner.userId, owner.endpointId],
    );
    return rows.map((row) => this.box.open(row.sealed, row.id));
  }
}
