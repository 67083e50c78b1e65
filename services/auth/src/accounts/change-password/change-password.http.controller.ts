import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, CurrentPrincipal, JoiPipe, type Principal } from '@conveyor/platform';
import Joi from 'joi';
import { passwordField } from '../password.field';
import { ChangePasswordHandler } from './change-password.handler';

interface ChangePasswordRequest {
  currentPassword: string;
  newPassword: string;
}

const changePasswordRequest = Joi.object<ChangePasswordRequest>({
  currentPassword: Joi.string().min(1).max(1024).required(),
  newPassword: passwordField.required(),
}).required();

@Controller('v1/auth/password')
@UseGuards(AccessTokenGuard)
export class ChangePasswordHttpController {
  constructor(private readonly handler: ChangePasswordHandler) {}

  @Post('change')
  @HttpCode(204)
  async change(@CurrentPrincipal() principal: Principal, @Body(new JoiPipe(changePasswordRequest)) body: ChangePasswordRequest): Promise<void> {
    await this.handler.execute(principal, body.currentPassword, body.newPassword);
  }
}
