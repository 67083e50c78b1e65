import { Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ClientAuthGuard } from '../../api-keys/client-auth.guard';
import { CurrentClient, RequireScope, type ClientPrincipal } from '../../api-keys/client-principal';
import { jobView } from '../job.view';
import { CancelJobHandler } from './cancel-job.handler';

@Controller('v1/jobs')
@UseGuards(ClientAuthGuard)
export class CancelJobHttpController {
  constructor(private readonly handler: CancelJobHandler) {}

  @Post(':id/cancel')
  @HttpCode(200)
  @RequireScope('jobs:write')
  async cancel(@Param('id') id: string, @CurrentClient() client: ClientPrincipal) {
    return jobView(await this.handler.execute(client.userId, id));
  }
}
