import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { JoiPipe } from '@conveyor/platform';
import { accountView } from '../account.view';
import { RegisterHandler } from './register.handler';
import { registerRequest, type RegisterRequest } from './register.request';

@Controller('v1/auth')
export class RegisterHttpController {
  constructor(private readonly handler: RegisterHandler) {}

  @Post('register')
  @HttpCode(201)
  async register(@Body(new JoiPipe(registerRequest)) body: RegisterRequest) {
    return accountView(await this.handler.execute(body));
  }
}
