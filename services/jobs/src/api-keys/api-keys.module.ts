import { Module } from '@nestjs/common';
import { AccessTokenGuard } from '@conveyor/platform';
import { ApiKeyAuthenticator } from './api-key-authenticator';
import { ClientAuthGuard } from './client-auth.guard';
import { OnApiKeyCreatedHandler } from './on-api-key-created/on-api-key-created.handler';
import { OnApiKeyRevokedHandler } from './on-api-key-revoked/on-api-key-revoked.handler';

/**
 * The jobs service's projection of auth's API keys, and the guard that checks them (and
 * access tokens) for the jobs API. Modules using the guard import this one.
 */
@Module({
  controllers: [OnApiKeyCreatedHandler, OnApiKeyRevokedHandler],
  providers: [ApiKeyAuthenticator, AccessTokenGuard, ClientAuthGuard],
  exports: [ApiKeyAuthenticator, AccessTokenGuard, ClientAuthGuard],
})
export class ApiKeysModule {}
