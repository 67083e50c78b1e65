import { Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, CurrentPrincipal, type Principal } from '@conveyor/platform';
import { SendTestMessageHandler } from './send-test-message.handler';

@Controller('v1/webhooks/endpoints')
@UseGuards(AccessTokenGuard)
export class SendTestMessageHttpController {
  constructor(private readonly handler: SendTestMessageHandler) {}

  @Post(':id/test')
  @HttpCode(202)
  send(@CurrentPrincipal() { userId }: Principal, @Param('id') id: string) {
    return this.handler.execute(userId, id);
  }
}
