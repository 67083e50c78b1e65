import { Module } from '@nestjs/common';
import { AccessTokenGuard } from '@conveyor/platform';
import { AdminRoleGuard } from '../access/admin-role.guard';
import { GrantCreditsHandler } from './grant-credits/grant-credits.handler';
import { GrantCreditsHttpController } from './grant-credits/grant-credits.http.controller';

@Module({
  controllers: [GrantCreditsHttpController],
  providers: [GrantCreditsHandler, AccessTokenGuard, AdminRoleGuard],
})
export class GrantsModule {}
