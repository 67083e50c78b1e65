import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, CurrentPrincipal, JoiPipe, type Principal } from '@conveyor/platform';
import { RotateSecretHandler } from './rotate-secret.handler';
import { rotateSecretRequest, type RotateSecretRequest } from './rotate-secret.request';

/** During a rotation's grace both secrets sign. */
@Controller('v1/webhooks')
@UseGuards(AccessTokenGuard)
export class RotateSecretHttpController {
  constructor(private readonly handler: RotateSecretHandler) {}

  @Post('endpoints/:id/rotate-secret')
  @HttpCode(200)
  rotateEndpoint(
    @CurrentPrincipal() { userId }: Principal,
    @Param('id') id: string,
    @Body(new JoiPipe(rotateSecretRequest)) body: RotateSecretRequest,
  ) {
    return this.handler.rotateEndpoint(userId, id, body.graceSeconds);
  }

  @Get('secret')
  async getDefault(@CurrentPrincipal() { userId }: Principal) {
    return { secret: await this.handler.currentDefault(userId) };
  }

  @Post('secret/rotate')
  @HttpCode(200)
  rotateDefault(@CurrentPrincipal() { userId }: Principal, @Body(new JoiPipe(rotateSecretRequest)) body: RotateSecretRequest) {
    return this.handler.rotateDefault(userId, body.graceSeconds);
  }
}
