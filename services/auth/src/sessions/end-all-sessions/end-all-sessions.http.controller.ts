import { Controller, HttpCode, Post, Res, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, CurrentPrincipal, type Principal } from '@conveyor/platform';
import type { Response } from 'express';
import { clearRefreshCookie } from '../refresh-cookie';
import { RefreshTokens } from '../refresh-tokens';

@Controller('v1/auth')
@UseGuards(AccessTokenGuard)
export class EndAllSessionsHttpController {
  constructor(private readonly refreshTokens: RefreshTokens) {}

  /** Revokes every refresh-token family of the caller; access tokens run out within their lifetime. */
  @Post('logout-all')
  @HttpCode(204)
  async logoutAll(@CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) res: Response) {
    await this.refreshTokens.revokeAllOf(principal.userId);
    clearRefreshCookie(res);
  }
}
