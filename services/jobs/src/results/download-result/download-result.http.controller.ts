import { Controller, Get, Param, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { ClientAuthGuard } from '../../api-keys/client-auth.guard';
import { CurrentClient, RequireScope, type ClientPrincipal } from '../../api-keys/client-principal';
import { Job } from '../../jobs/job.entity';
import { assertJobId, JobNotFoundError } from '../../jobs/jobs.errors';
import { ResultDownload } from './result-download';

/** The owner's download: another client's job, as everywhere, does not exist. */
@Controller('v1/jobs')
@UseGuards(ClientAuthGuard)
export class DownloadResultHttpController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly download: ResultDownload,
  ) {}

  @Get(':id/result')
  @RequireScope('jobs:read')
  async get(@Param('id') id: string, @CurrentClient() client: ClientPrincipal, @Res() response: Response): Promise<void> {
    assertJobId(id);
    const job = await this.dataSource.getRepository(Job).findOneBy({ id, userId: client.userId });
    if (!job) throw new JobNotFoundError();
    await this.download.send(job, response, 'private, no-cache');
  }
}
