import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { JoiPipe } from '@conveyor/platform';
import type { Request, Response } from 'express';
import { presentedRefreshToken, sessionReply } from '../refresh-cookie';
import { RefreshSessionHandler } from './refresh-session.handler';
import { refreshSessionRequest, type RefreshSessionRequest } from './refresh-session.request';

@Controller('v1/auth')
export class RefreshSessionHttpController {
  constructor(private readonly handler: RefreshSessionHandler) {}

  /** A token that came in the cookie goes back in the cookie. */
  @Post('refresh')
  @HttpCode(200)
  async refresh(
    @Body(new JoiPipe(refreshSessionRequest)) body: RefreshSessionRequest,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    const cookie = body.refreshTokenCookie === true || !body.refreshToken;
    return sessionReply(res, await this.handler.execute(presentedRefreshToken(req, body)), cookie);
  }
}
