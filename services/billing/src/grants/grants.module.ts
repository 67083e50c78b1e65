import { Module } from '@nestjs/common';
import { AccessTokenGuard, AdminRoleGuard } from '@conveyor/platform';
import { GrantCreditsHandler } from './grant-credits/grant-credits.handler';
import { GrantCreditsHttpController } from './grant-credits/grant-credits.http.controller';

@Module({
  controllers: [GrantCreditsHttpController],
  providers: [GrantCreditsHandler, AccessTokenGuard, AdminRoleGuard],
})
export class GrantsModule {}
