import { BeforeApplicationShutdown, Inject, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '@conveyor/config';
import { OutboxWriter } from '@conveyor/outbox';
import { DataSource } from 'typeorm';
import type { JobsConfig } from '../jobs.config';
import { ProcessorRegistry } from '../processors/processor-registry';
import { ProcessorsModule } from '../processors/processors.module';
import { JobResults } from '../results/job-results';
import { ResultsModule } from '../results/results.module';
import { OnCreditsRejectedHandler } from './on-credits-rejected/on-credits-rejected.handler';
import { OnCreditsReservedHandler } from './on-credits-reserved/on-credits-reserved.handler';
import { StaleJobSweeper } from './reject-stale-jobs/stale-job-sweeper';
import { JobWorker } from './run-jobs/job-worker';

/**
 * Moves jobs through their lifecycle: billing's decisions, the worker, the processors.
 *
 * The worker stops in `beforeApplicationShutdown`, not `onApplicationShutdown`: the latter
 * also closes the database pool (TypeORM's module), and the worker still has to hand its
 * unfinished jobs back. Shutdown gives running jobs a quarter of SHUTDOWN_TIMEOUT_MS to finish
 * and a tenth more to wind down once aborted, leaving the rest to the other shutdown steps.
 */
@Module({
  imports: [ProcessorsModule, ResultsModule],
  controllers: [OnCreditsReservedHandler, OnCreditsRejectedHandler],
  providers: [
    StaleJobSweeper,
    {
      provide: JobWorker,
      inject: [DataSource, OutboxWriter, ProcessorRegistry, APP_CONFIG, JobResults],
      useFactory: (dataSource: DataSource, outbox: OutboxWriter, processors: ProcessorRegistry, config: JobsConfig, results: JobResults) =>
        new JobWorker({
          dataSource,
          outbox,
          processors,
          listenUrl: config.DATABASE_URL,
          pollIntervalMs: config.WORKER_POLL_INTERVAL_MS,
          concurrency: config.WORKER_CONCURRENCY,
          finishGraceMs: config.SHUTDOWN_TIMEOUT_MS / 4,
          abortGraceMs: config.SHUTDOWN_TIMEOUT_MS / 10,
          leaseSeconds: config.JOB_LEASE_SECONDS,
          runs: {
            timeouts: config.JOB_TIMEOUTS_MS,
            backoff: { baseDelayMs: config.JOB_RETRY_BASE_DELAY_MS, maxDelayMs: config.JOB_RETRY_MAX_DELAY_MS },
          },
          results,
        }),
    },
  ],
})
export class JobProcessingModule implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    private readonly worker: JobWorker,
    @Inject(APP_CONFIG) private readonly config: JobsConfig,
  ) {}

  /** An `api` process consumes billing's decisions but leaves running jobs to the workers. */
  onApplicationBootstrap(): void {
    if (this.config.JOBS_ROLE !== 'api') this.worker.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.worker.stop();
  }

  /** Idempotent; normally the worker has stopped already. */
  onApplicationShutdown(): Promise<void> {
    return this.worker.stop();
  }
}
