import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { JoiPipe } from '@conveyor/platform';
import { ConfirmEmailHandler } from './confirm-email.handler';
import { confirmEmailRequest, type TokenRequest } from './confirm-email.request';

@Controller('v1/auth')
export class ConfirmEmailHttpController {
  constructor(private readonly handler: ConfirmEmailHandler) {}

  @Post('confirm')
  @HttpCode(204)
  async confirm(@Body(new JoiPipe(confirmEmailRequest)) body: TokenRequest): Promise<void> {
    await this.handler.execute(body.token);
  }
}
