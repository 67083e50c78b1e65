import { Module } from '@nestjs/common';
import { AccessTokenGuard } from '@conveyor/platform';
import { CreateApiKeyHandler } from './create-api-key/create-api-key.handler';
import { CreateApiKeyHttpController } from './create-api-key/create-api-key.http.controller';
import { ListApiKeysHttpController } from './list-api-keys/list-api-keys.http.controller';
import { OnApiKeyUsedHandler } from './on-api-key-used/on-api-key-used.handler';
import { RevokeApiKeyHandler } from './revoke-api-key/revoke-api-key.handler';
import { RevokeApiKeyHttpController } from './revoke-api-key/revoke-api-key.http.controller';

@Module({
  controllers: [CreateApiKeyHttpController, ListApiKeysHttpController, RevokeApiKeyHttpController, OnApiKeyUsedHandler],
  providers: [CreateApiKeyHandler, RevokeApiKeyHandler, AccessTokenGuard],
})
export class ApiKeysModule {}
