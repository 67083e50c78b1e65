import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { isUuid } from '@conveyor/contracts';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Job } from '../../jobs/job.entity';
import { ResultLinks } from '../result-links';
import { ResultLinkExpiredError, ResultLinkInvalidError } from '../results.errors';
import { ResultDownload } from './result-download';

/**
 * Downloads by signed link, without credentials: the link itself is the permission. A link
 * that does not verify, and one for a job that no longer exists, get the same 403.
 */
@Controller('v1/results')
export class DownloadSignedResultHttpController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly links: ResultLinks,
    private readonly download: ResultDownload,
  ) {}

  @Get(':id')
  async get(
    @Param('id') id: string,
    @Query('expires') expires: unknown,
    @Query('signature') signature: unknown,
    @Res() response: Response,
  ): Promise<void> {
    if (!isUuid(id)) throw new ResultLinkInvalidError();
    const verdict = this.links.verify(id, expires, signature);
    if (verdict === 'invalid') throw new ResultLinkInvalidError();
    if (verdict === 'expired') throw new ResultLinkExpiredError();
    const job = await this.dataSource.getRepository(Job).findOneBy({ id });
    if (!job) throw new ResultLinkInvalidError();
    // The link is a credential: keep it out of other sites' logs.
    response.set('Referrer-Policy', 'no-referrer');
    await this.download.send(job, response, 'private, no-store');
  }
}
