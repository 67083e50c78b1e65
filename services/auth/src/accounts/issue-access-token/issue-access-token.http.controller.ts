import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { JoiPipe } from '@conveyor/platform';
import { IssueAccessTokenHandler } from './issue-access-token.handler';
import { issueAccessTokenRequest, type IssueAccessTokenRequest } from './issue-access-token.request';

@Controller('v1/auth')
export class IssueAccessTokenHttpController {
  constructor(private readonly handler: IssueAccessTokenHandler) {}

  @Post('login')
  @HttpCode(200)
  login(@Body(new JoiPipe(issueAccessTokenRequest)) body: IssueAccessTokenRequest) {
    return this.handler.execute(body);
  }
}
