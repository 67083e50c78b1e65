import { Controller, Get, Headers, Param, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { ClientAuthGuard } from '../../api-keys/client-auth.guard';
import { CurrentClient, RequireScope, type ClientPrincipal } from '../../api-keys/client-principal';
import { Job } from '../job.entity';
import { jobView } from '../job.view';
import { assertJobId, JobNotFoundError } from '../jobs.errors';
import { etagMatches, jobEtag } from './job-etag';

@Controller('v1/jobs')
@UseGuards(ClientAuthGuard)
export class GetJobHttpController {
  constructor(private readonly dataSource: DataSource) {}

  /** Only the owner sees a job; for anyone else it does not exist. Polling clients revalidate with ETags. */
  @Get(':id')
  @RequireScope('jobs:read')
  async get(
    @Param('id') id: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @CurrentClient() client: ClientPrincipal,
    @Res() response: Response,
  ): Promise<void> {
    assertJobId(id);
    const job = await this.dataSource.getRepository(Job).findOneBy({ id, userId: client.userId });
    if (!job) throw new JobNotFoundError();
    const etag = jobEtag(job);
    response.set({ ETag: etag, 'Cache-Control': 'private, no-cache' });
    if (etagMatches(ifNoneMatch, etag)) {
      response.status(304).end();
      return;
    }
    response.status(200).json(jobView(job));
  }
}
