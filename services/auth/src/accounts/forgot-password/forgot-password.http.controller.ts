import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { JoiPipe } from '@conveyor/platform';
import Joi from 'joi';
import { emailField } from '../email.field';
import { ForgotPasswordHandler } from './forgot-password.handler';

const forgotPasswordRequest = Joi.object<{ email: string }>({ email: emailField.required() }).required();

@Controller('v1/auth/password')
export class ForgotPasswordHttpController {
  constructor(private readonly handler: ForgotPasswordHandler) {}

  @Post('forgot')
  @HttpCode(202)
  async forgot(@Body(new JoiPipe(forgotPasswordRequest)) body: { email: string }): Promise<void> {
    await this.handler.execute(body.email);
  }
}
