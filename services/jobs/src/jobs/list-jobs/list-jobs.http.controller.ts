import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { JoiPipe } from '@conveyor/platform';
import { ClientAuthGuard } from '../../api-keys/client-auth.guard';
import { CurrentClient, RequireScope, type ClientPrincipal } from '../../api-keys/client-principal';
import { ListJobsHandler } from './list-jobs.handler';
import { listJobsRequest, type ListJobsRequest } from './list-jobs.request';

@Controller('v1/jobs')
@UseGuards(ClientAuthGuard)
export class ListJobsHttpController {
  constructor(private readonly handler: ListJobsHandler) {}

  @Get()
  @RequireScope('jobs:read')
  list(@Query(new JoiPipe(listJobsRequest)) query: ListJobsRequest, @CurrentClient() client: ClientPrincipal) {
    return this.handler.execute(client.userId, query);
  }
}
