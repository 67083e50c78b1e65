import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, CurrentPrincipal, JoiPipe, type Principal } from '@conveyor/platform';
import { DataSource } from 'typeorm';
import { EndpointSecrets } from '../endpoint-secrets';
import { assertEndpointId, EndpointNotFoundError } from '../endpoints.errors';
import { rotateSecretRequest, type RotateSecretRequest } from './rotate-secret.request';

/** Default grace of a rotated secret: a day, time enough to deploy the new one. */
const DEFAULT_GRACE_SECONDS = 86_400;

/**
 * Rotating an endpoint's secret, and reading or rotating the client's default secret (the one
 * that signs deliveries to a job's own `webhookUrl`). During the grace both secrets sign.
 */
@Controller('v1/webhooks')
@UseGuards(AccessTokenGuard)
export class RotateSecretHttpController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly secrets: EndpointSecrets,
  ) {}

  @Post('endpoints/:id/rotate-secret')
  @HttpCode(200)
  rotateEndpoint(
    @CurrentPrincipal() { userId }: Principal,
    @Param('id') id: string,
    @Body(new JoiPipe(rotateSecretRequest)) body: RotateSecretRequest,
  ) {
    assertEndpointId(id);
    return this.dataSource.transaction(async (manager) => {
      const [endpoint] = await manager.query(
        `SELECT 1 FROM webhooks.endpoints WHERE id = $1 AND user_id = $2 AND kind = 'subscription' FOR UPDATE`,
        [id, userId],
      );
      if (!endpoint) throw new EndpointNotFoundError();
      const { secret, previousExpiresAt } = await this.secrets.rotate(manager, { userId, endpointId: id }, body.graceSeconds ?? DEFAULT_GRACE_SECONDS);
      return { secret, previousSecretExpiresAt: previousExpiresAt?.toISOString() ?? null };
    });
  }

  @Get('secret')
  async getDefault(@CurrentPrincipal() { userId }: Principal) {
    const secret = await this.dataSource.transaction((manager) => this.secrets.currentDefault(manager, userId));
    return { secret };
  }

  @Post('secret/rotate')
  @HttpCode(200)
  rotateDefault(@CurrentPrincipal() { userId }: Principal, @Body(new JoiPipe(rotateSecretRequest)) body: RotateSecretRequest) {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('webhooks.default-secret'), hashtext($1))`, [userId]);
      const { secret, previousExpiresAt } = await this.secrets.rotate(
        manager,
        { userId, endpointId: null },
        body.graceSeconds ?? DEFAULT_GRACE_SECONDS,
      );
      return { secret, previousSecretExpiresAt: previousExpiresAt?.toISOString() ?? null };
    });
  }
}
