import { BeforeApplicationShutdown, Module, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG } from '@conveyor/config';
import { HttpDrain } from '@conveyor/platform';
import { DataSource } from 'typeorm';
import type { JobsConfig } from '../../jobs.config';
import { JobStatusFeed } from './job-status-feed';
import { JobStatusStreams } from './job-status-streams';

/**
 * The live status streams of the API (SSE), fed from the job status log of every instance.
 * Their controller is declared by JobsHttpModule, ahead of the `:id` routes.
 */
@Module({
  exports: [JobStatusStreams],
  providers: [
    {
      provide: JobStatusFeed,
      inject: [DataSource, APP_CONFIG],
      useFactory: (dataSource: DataSource, config: JobsConfig) =>
        new JobStatusFeed({
          dataSource,
          listenUrl: config.DATABASE_URL,
          pollIntervalMs: 1_000,
          gapTimeoutMs: 5_000,
          retentionHours: config.JOB_STATUS_LOG_RETENTION_HOURS,
        }),
    },
    {
      provide: JobStatusStreams,
      inject: [JobStatusFeed, HttpDrain],
      useFactory: (feed: JobStatusFeed, drain: HttpDrain) => new JobStatusStreams(feed, drain),
    },
  ],
})
export class WatchJobsModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(private readonly feed: JobStatusFeed) {}

  onApplicationBootstrap(): Promise<void> {
    return this.feed.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.feed.stop();
  }
}
