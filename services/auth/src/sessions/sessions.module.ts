import { Module } from '@nestjs/common';
import { AccessTokenGuard, AccessTokenKeys } from '@conveyor/platform';
import { SigningKeys } from '../signing-keys/signing-keys';
import { PublishJwksHttpController } from '../signing-keys/publish-jwks/publish-jwks.http.controller';
import { AccessTokenIssuer } from './access-token-issuer';
import { EndAllSessionsHttpController } from './end-all-sessions/end-all-sessions.http.controller';
import { EndSessionHttpController } from './end-session/end-session.http.controller';
import { RefreshSessionHandler } from './refresh-session/refresh-session.handler';
import { RefreshSessionHttpController } from './refresh-session/refresh-session.http.controller';
import { RefreshTokens } from './refresh-tokens';
import { ScheduledRotation } from '../signing-keys/rotate-keys/scheduled-rotation';

/** Signing keys, access tokens and refresh-token families. */
@Module({
  controllers: [PublishJwksHttpController, RefreshSessionHttpController, EndSessionHttpController, EndAllSessionsHttpController],
  providers: [
    // The one instance the platform's AccessTokenModule verifies with (auth.definition's accessTokenKeys).
    { provide: SigningKeys, useExisting: AccessTokenKeys },
    AccessTokenIssuer,
    RefreshTokens,
    RefreshSessionHandler,
    AccessTokenGuard,
    ScheduledRotation,
  ],
  exports: [AccessTokenIssuer, RefreshTokens, SigningKeys],
})
export class SessionsModule {}
