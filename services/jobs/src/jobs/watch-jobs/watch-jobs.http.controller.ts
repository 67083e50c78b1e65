import { Controller, Get, Headers, Param, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DataSource } from 'typeorm';
import { ClientAuthGuard } from '../../api-keys/client-auth.guard';
import { CurrentClient, RequireScope, type ClientPrincipal } from '../../api-keys/client-principal';
import { assertJobId, JobNotFoundError } from '../jobs.errors';
import { JobStatusStreams } from './job-status-streams';

/**
 * Live job status as Server-Sent Events. Declared before the `:id` routes (JobsHttpModule), so
 * that `/v1/jobs/events` is this stream and not a job with the id "events".
 */
@Controller('v1/jobs')
@UseGuards(ClientAuthGuard)
export class WatchJobsHttpController {
  constructor(
    private readonly streams: JobStatusStreams,
    private readonly dataSource: DataSource,
  ) {}

  /** Every status change of the client's jobs, from now (or after Last-Event-ID) on. */
  @Get('events')
  @RequireScope('jobs:read')
  watchAll(
    @CurrentClient() client: ClientPrincipal,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    return this.streams.serve({ userId: client.userId, lastEventId }, request, response);
  }

  /** One job's status changes from its submission (or after Last-Event-ID); ends after its final one. */
  @Get(':id/events')
  @RequireScope('jobs:read')
  async watchOne(
    @Param('id') id: string,
    @CurrentClient() client: ClientPrincipal,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    assertJobId(id);
    const owned = await this.dataSource.query(`SELECT 1 FROM jobs.jobs WHERE id = $1 AND user_id = $2`, [id, client.userId]);
    if (owned.length === 0) throw new JobNotFoundError();
    await this.streams.serve({ userId: client.userId, jobId: id, lastEventId }, request, response);
  }
}
