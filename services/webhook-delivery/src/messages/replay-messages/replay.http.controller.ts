import { Body, Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, AdminRoleGuard, CurrentPrincipal, JoiPipe, type Principal } from '@conveyor/platform';
import { ReplayHandler } from './replay.handler';
import { adminBulkReplayRequest, bulkReplayRequest, type BulkReplayRequest } from './replay.request';

@Controller('v1/webhooks')
@UseGuards(AccessTokenGuard)
export class ReplayHttpController {
  constructor(private readonly handler: ReplayHandler) {}

  @Post('messages/:id/replay')
  @HttpCode(202)
  replayMessage(@CurrentPrincipal() { userId }: Principal, @Param('id') id: string) {
    return this.handler.replayMessage({ userId }, id);
  }

  @Post('replay')
  @HttpCode(200)
  replayRange(@CurrentPrincipal() { userId }: Principal, @Body(new JoiPipe(bulkReplayRequest)) body: BulkReplayRequest) {
    return this.handler.replayRange({ userId }, body);
  }
}

@Controller('v1/webhooks/admin')
@UseGuards(AccessTokenGuard, AdminRoleGuard)
export class AdminReplayHttpController {
  constructor(private readonly handler: ReplayHandler) {}

  @Post('messages/:id/replay')
  @HttpCode(202)
  replayMessage(@Param('id') id: string) {
    return this.handler.replayMessage('all', id);
  }

  @Post('replay')
  @HttpCode(200)
  replayRange(@Body(new JoiPipe(adminBulkReplayRequest)) body: BulkReplayRequest) {
    return this.handler.replayRange('all', body);
  }
}
