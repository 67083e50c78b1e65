import { Body, Controller, HttpCode, Ip, Post, Res } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { JoiPipe } from '@conveyor/platform';
import type { Response } from 'express';
import { sessionReply } from '../../sessions/refresh-cookie';
import { IssueAccessTokenHandler } from './issue-access-token.handler';
import { issueAccessTokenRequest, type IssueAccessTokenRequest } from './issue-access-token.request';

@Controller('v1/auth')
export class IssueAccessTokenHttpController {
  constructor(private readonly handler: IssueAccessTokenHandler) {}

  @Post('login')
  @ApiResponse({
    status: 200,
    description: 'An access token and a refresh token (only in the `HttpOnly` cookie with `refreshTokenCookie: true`).',
    example: { accessToken: 'eyJhbGciOiJFUzI1NiIsImtpZCI6Ii4uLiJ9.…', tokenType: 'Bearer', expiresIn: 900, refreshToken: 'rt_…', refreshExpiresIn: 2592000 },
  })
  @HttpCode(200)
  async login(
    @Body(new JoiPipe(issueAccessTokenRequest)) body: IssueAccessTokenRequest,
    @Ip() ip: string,
    @Res({ passthrough: true }) res: Response,
  ) {
    return sessionReply(res, await this.handler.execute(body, ip), body.refreshTokenCookie === true);
  }
}
