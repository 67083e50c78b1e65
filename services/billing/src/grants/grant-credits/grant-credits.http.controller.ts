import { Body, Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, AdminRoleGuard, JoiPipe } from '@conveyor/platform';
import { accountParams, type AccountParams } from '../../access/account.params';
import { GrantCreditsHandler } from './grant-credits.handler';
import { grantCreditsRequest, type GrantCreditsRequest } from './grant-credits.request';

@Controller('v1/billing/accounts')
@UseGuards(AccessTokenGuard, AdminRoleGuard)
export class GrantCreditsHttpController {
  constructor(private readonly handler: GrantCreditsHandler) {}

  @Post(':userId/grants')
  @HttpCode(201)
  grant(
    @Param(new JoiPipe(accountParams)) { userId }: AccountParams,
    @Body(new JoiPipe(grantCreditsRequest)) body: GrantCreditsRequest,
  ) {
    return this.handler.execute(userId, body);
  }
}
