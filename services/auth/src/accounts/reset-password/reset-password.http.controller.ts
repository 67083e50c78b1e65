import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { JoiPipe } from '@conveyor/platform';
import Joi from 'joi';
import { passwordField } from '../password.field';
import { ResetPasswordHandler } from './reset-password.handler';

interface ResetPasswordRequest {
  token: string;
  password: string;
}

const resetPasswordRequest = Joi.object<ResetPasswordRequest>({
  token: Joi.string().max(200).required(),
  password: passwordField.required(),
}).required();

@Controller('v1/auth/password')
export class ResetPasswordHttpController {
  constructor(private readonly handler: ResetPasswordHandler) {}

  @Post('reset')
  @HttpCode(204)
  async reset(@Body(new JoiPipe(resetPasswordRequest)) body: ResetPasswordRequest): Promise<void> {
    await this.handler.execute(body.token, body.password);
  }
}
