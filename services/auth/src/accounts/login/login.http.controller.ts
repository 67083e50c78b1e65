import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { JoiPipe } from '@conveyor/platform';
import { LoginHandler } from './login.handler';
import { loginRequest, type LoginRequest } from './login.request';

@Controller('v1/auth')
export class LoginHttpController {
  constructor(private readonly handler: LoginHandler) {}

  @Post('login')
  @HttpCode(200)
  login(@Body(new JoiPipe(loginRequest)) body: LoginRequest) {
    return this.handler.execute(body);
  }
}
