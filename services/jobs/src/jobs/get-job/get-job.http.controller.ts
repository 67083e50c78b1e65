import { Controller, Get, Headers, Param, Res, UseGuards } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
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
  @ApiResponse({ status: 404, description: 'No such job of this client, or not a UUID (`JOBS.JOB_NOT_FOUND`).' })
  @ApiResponse({
    status: 200,
    description: 'The job, with a strong `ETag`; `If-None-Match` may get 304.',
    example: {
      id: '3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c',
      type: 'echo',
      status: 'succeeded',
      input: { message: 'hello' },
      metadata: { orderId: '1042' },
      webhookUrl: 'https://client.example.com/hooks/conveyor',
      reason: null,
      error: null,
      result: { message: 'hello' },
      attempts: 1,
      createdAt: '2025-01-15T09:30:00.000Z',
      queuedAt: '2025-01-15T09:30:00.000Z',
      startedAt: '2025-01-15T09:30:00.000Z',
      finishedAt: '2025-01-15T09:30:00.000Z',
      statusUrl: '/v1/jobs/3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    },
  })
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
