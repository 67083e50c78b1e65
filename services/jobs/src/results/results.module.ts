import { Module } from '@nestjs/common';
import { APP_CONFIG } from '@conveyor/config';
import type { JobsConfig } from '../jobs.config';
import { BlobStore } from './blob-store';
import { JobResults } from './job-results';
import { PgBlobStore } from './pg-blob-store';
import { ResultLinks } from './result-links';

type LinkConfig = Pick<JobsConfig, 'RESULT_URL_SIGNING_KEY' | 'RESULT_URL_TTL_SECONDS'>;

/** Where job files live (uploads, file results) and how their download links are signed. */
@Module({
  providers: [
    { provide: BlobStore, useClass: PgBlobStore },
    {
      provide: ResultLinks,
      inject: [APP_CONFIG],
      useFactory: (config: LinkConfig) => new ResultLinks(config.RESULT_URL_SIGNING_KEY, config.RESULT_URL_TTL_SECONDS),
    },
    {
      provide: JobResults,
      inject: [BlobStore, ResultLinks],
      useFactory: (blobs: BlobStore, links: ResultLinks) => new JobResults({ blobs, links }),
    },
  ],
  exports: [BlobStore, ResultLinks, JobResults],
})
export class ResultsModule {}
