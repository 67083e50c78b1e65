import { Controller, Get, Headers, Param, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { ClientAuthGuard } from '../../api-keys/client-auth.guard';
import { CurrentClient, RequireScope, type ClientPrincipal } from '../../api-keys/client-principal';
import { ResultLinks } from '../../results/result-links';
import { Job } from '../job.entity';
import { jobView } from '../job.view';
import { assertJobId, JobNotFoundError } from '../jobs.errors';
import { etagMatches, jobEtag } from './job-etag';

@Controller('v1/jobs')
@UseGuards(ClientAuthGuard)
export class GetJobHttpController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly links: ResultLinks,
  ) {}

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
    const view = jobView(job);
    // A file result also offers a signed link. Links change only every few minutes (see
    // ResultLinks), and the ETag changes with them, so a revalidated view never holds a stale one.
    const link = job.resultContentType === null ? undefined : this.links.signed(job.id);
    if (link) view.result = { ...(job.result as object), signedUrl: link.url, signedUrlExpiresAt: link.expiresAt };
    const etag = jobEtag(job, link?.expiresAt);
    response.set({ ETag: etag, 'Cache-Control': 'private, no-cache' });
    if (etagMatches(ifNoneMatch, etag)) {
      response.status(304).end();
      return;
    }
    response.status(200).json(view);
  }
}
