import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { JoiPipe } from '@conveyor/platform';
import { accountView } from '../account.view';
import { RegisterAccountHandler } from './register-account.handler';
import { registerAccountRequest, type RegisterAccountRequest } from './register-account.request';

@Controller('v1/auth')
export class RegisterAccountHttpController {
  constructor(private readonly handler: RegisterAccountHandler) {}

  @Post('register')
  @HttpCode(201)
  async register(@Body(new JoiPipe(registerAccountRequest)) body: RegisterAccountRequest) {
    return accountView(await this.handler.execute(body));
  }
}
