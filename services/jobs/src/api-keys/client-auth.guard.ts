import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AccessTokenGuard } from '@conveyor/platform';
import { Attr } from '@conveyor/tracing';
import { trace } from '@opentelemetry/api';
import { DataSource } from 'typeorm';
import { assertNotDeleted } from '../users/deleted-users';
import { ApiKeyAuthenticator } from './api-key-authenticator';
import { InvalidApiKeyError, MissingScopeError } from './api-keys.errors';
import { JOBS_SCOPES, REQUIRED_SCOPE, type ClientPrincipal, type ClientRequest, type JobsScope } from './client-principal';

/**
 * Authenticates a jobs API client by `Authorization: Bearer <credential>`: an API key
 * (`ck_…`) is checked against the local projection; anything else must be an access token,
 * checked by the platform's AccessTokenGuard. Then the route's scope (`@RequireScope`) must be
 * among the credential's. Bad credentials are 401 problems, missing scopes 403.
 */
@Injectable()
export class ClientAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeyAuthenticator,
    private readonly accessTokens: AccessTokenGuard,
    private readonly dataSource: DataSource,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<ClientRequest>();
    const client = await this.authenticate(context, request);
    request.client = client;
    trace.getActiveSpan()?.setAttribute(Attr.userId, client.userId);
    const scope = this.reflector.getAllAndOverride<JobsScope | undefined>(REQUIRED_SCOPE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!scope || !client.scopes.includes(scope)) throw new MissingScopeError(scope);
    return true;
  }

  private async authenticate(context: ExecutionContext, request: ClientRequest): Promise<ClientPrincipal> {
    const [scheme, credential, ...rest] = (request.headers.authorization ?? '').split(' ');
    if (scheme?.toLowerCase() === 'bearer' && credential?.startsWith('ck_') && rest.length === 0) {
      const client = await this.apiKeys.authenticate(credential);
      if (!client) throw new InvalidApiKeyError();
      return client;
    }
    await this.accessTokens.canActivate(context);
    const principal = request.principal;
    if (!principal) throw new InvalidApiKeyError();
    await assertNotDeleted(this.dataSource, principal.userId);
    return { userId: principal.userId, keyId: null, scopes: JOBS_SCOPES };
  }
}
