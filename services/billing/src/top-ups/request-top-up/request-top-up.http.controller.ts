import { Body, Controller, Headers, HttpCode, Post, Res, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, CurrentPrincipal, JoiPipe, type Principal } from '@conveyor/platform';
import type { Response } from 'express';
import { RequestTopUpHandler } from './request-top-up.handler';
import { idempotencyKeyOf, requestTopUpRequest, type RequestTopUpRequest } from './request-top-up.request';

@Controller('v1/billing')
@UseGuards(AccessTokenGuard)
export class RequestTopUpHttpController {
  constructor(private readonly handler: RequestTopUpHandler) {}

  @Post('top-ups')
  @HttpCode(202)
  async request(
    @CurrentPrincipal() { userId }: Principal,
    @Headers('idempotency-key') key: string | undefined,
    @Body(new JoiPipe(requestTopUpRequest)) body: RequestTopUpRequest,
    @Res({ passthrough: true }) response: Response,
  ) {
    const { topUp, replayed } = await this.handler.execute(userId, idempotencyKeyOf(key), body);
    response.setHeader('Location', `/v1/billing/top-ups/${topUp.id}`);
    if (replayed) response.setHeader('Idempotent-Replayed', 'true');
    return topUp;
  }
}
