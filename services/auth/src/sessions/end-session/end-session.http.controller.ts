import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { JoiPipe } from '@conveyor/platform';
import type { Request, Response } from 'express';
import { refreshSessionRequest, type RefreshSessionRequest } from '../refresh-session/refresh-session.request';
import { clearRefreshCookie, presentedRefreshToken } from '../refresh-cookie';
import { RefreshTokens } from '../refresh-tokens';

@Controller('v1/auth')
export class EndSessionHttpController {
  constructor(private readonly refreshTokens: RefreshTokens) {}

  /** Logout: revokes the family of the presented refresh token; 204 whatever it was. */
  @Post('logout')
  @HttpCode(204)
  async logout(@Body(new JoiPipe(refreshSessionRequest)) body: RefreshSessionRequest, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const token = presentedRefreshToken(req, body);
    if (token) await this.refreshTokens.revokeFamilyOf(token);
    clearRefreshCookie(res);
  }
}
