import { Module } from '@nestjs/common';
import { AccessTokenGuard, AdminRoleGuard } from '@conveyor/platform';
import { ChangePlanHandler } from './change-plan/change-plan.handler';
import { ChangePlanHttpController } from './change-plan/change-plan.http.controller';

@Module({
  controllers: [ChangePlanHttpController],
  providers: [ChangePlanHandler, AccessTokenGuard, AdminRoleGuard],
})
export class PlansModule {}
