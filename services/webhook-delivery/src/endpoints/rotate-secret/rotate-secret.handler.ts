import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EndpointSecrets } from '../endpoint-secrets';
import { assertEndpointId, EndpointNotFoundError } from '../endpoints.errors';

/** Default grace of a rotated secret: a day, time enough to deploy the new one. */
const DEFAULT_GRACE_SECONDS = 86_400;

export interface Rotation {
  secret: string;
  previousSecretExpiresAt: string | null;
}

/**
 * Rotates an endpoint's secret or the client's default one (which signs deliveries to jobs'
 * own `webhookUrl`). The owner's row (or, for the default secret, an advisory lock) is locked
 * first, so two rotations at once end up with one current secret.
 */
@Injectable()
export class RotateSecretHandler {
  constructor(
    private readonly dataSource: DataSource,
    private readonly secrets: EndpointSecrets,
  ) {}

  rotateEndpoint(userId: string, endpointId: string, graceSeconds = DEFAULT_GRACE_SECONDS): Promise<Rotation> {
    assertEndpointId(endpointId);
    return this.dataSource.transaction(async (manager) => {
      const [endpoint] = await manager.query(
        `SELECT 1 FROM webhooks.endpoints WHERE id = $1 AND user_id = $2 AND kind = 'subscription' FOR UPDATE`,
        [endpointId, userId],
      );
      if (!endpoint) throw new EndpointNotFoundError();
      return view(await this.secrets.rotate(manager, { userId, endpointId }, graceSeconds));
    });
  }

  rotateDefault(userId: string, graceSeconds = DEFAULT_GRACE_SECONDS): Promise<Rotation> {
    return this.dataSource.transaction(async (manager) => {
      await this.secrets.lockDefault(manager, userId);
      return view(await this.secrets.rotate(manager, { userId, endpointId: null }, graceSeconds));
    });
  }

  /** The client's default secret, made on first use. */
  currentDefault(userId: string): Promise<string> {
    return this.dataSource.transaction((manager) => this.secrets.currentDefault(manager, userId));
  }
}

const view = ({ secret, previousExpiresAt }: { secret: string; previousExpiresAt: Date | null }): Rotation => ({
  secret,
  previousSecretExpiresAt: previousExpiresAt?.toISOString() ?? null,
});
