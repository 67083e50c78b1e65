import { Body, Controller, Param, Put, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, AdminRoleGuard, JoiPipe } from '@conveyor/platform';
import { accountParams, type AccountParams } from '../../access/account.params';
import { ChangePlanHandler } from './change-plan.handler';
import { changePlanRequest, type ChangePlanRequest } from './change-plan.request';

@Controller('v1/billing/accounts')
@UseGuards(AccessTokenGuard, AdminRoleGuard)
export class ChangePlanHttpController {
  constructor(private readonly handler: ChangePlanHandler) {}

  @Put(':userId/plan')
  change(
    @Param(new JoiPipe(accountParams)) { userId }: AccountParams,
    @Body(new JoiPipe(changePlanRequest)) body: ChangePlanRequest,
  ) {
    return this.handler.execute(userId, body);
  }
}
