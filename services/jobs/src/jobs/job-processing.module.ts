import { BeforeApplicationShutdown, Inject, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '@conveyor/config';
import { WorkBecameAvailableV1 } from '@conveyor/contracts';
import { AmqpConnection, TOPOLOGY_NAMES, WorkQueue, type TopologyNames } from '@conveyor/messaging';
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

type TokenQueue = WorkQueue<typeof WorkBecameAvailableV1>;

/**
 * Moves jobs through their lifecycle: billing's decisions, the worker, the processors.
 *
 * Every role declares the work queue (`<namespace>.jobs.work`), so tokens written by an `api`
 * process are kept until a worker takes them; only `worker` and `all` processes consume it,
 * `WORKER_CONCURRENCY` unacked tokens at a time (a token is acked once its claim round
 * committed, so more in flight would only wait behind the worker's claims).
 *
 * The worker stops in `beforeApplicationShutdown`, not `onApplicationShutdown`: the latter
 * also closes the database pool (TypeORM's module), and the worker still has to hand its
 * unfinished jobs back. Shutdown gives running jobs a quarter of SHUTDOWN_TIMEOUT_MS to finish
 * and a tenth more to wind down once aborted, leaving the rest to the other shutdown steps.
 */
/**
 * Deliveries of one token before the broker drops it: a token is handed back only by a worker
 * without room or whose claim failed, and a dropped one is covered by the workers' poll.
 */
const TOKEN_DELIVERY_LIMIT = 20;

@Module({
  imports: [ProcessorsModule, ResultsModule],
  controllers: [OnCreditsReservedHandler, OnCreditsRejectedHandler],
  providers: [
    StaleJobSweeper,
    {
      provide: WorkQueue,
      inject: [AmqpConnection, TOPOLOGY_NAMES],
      useFactory: (connection: AmqpConnection, names: TopologyNames): TokenQueue =>
        new WorkQueue({ connection, names, contract: WorkBecameAvailableV1, deliveryLimit: TOKEN_DELIVERY_LIMIT }),
    },
    {
      provide: JobWorker,
      inject: [DataSource, OutboxWriter, ProcessorRegistry, APP_CONFIG, JobResults, WorkQueue],
      useFactory: (
        dataSource: DataSource,
        outbox: OutboxWriter,
        processors: ProcessorRegistry,
        config: JobsConfig,
        results: JobResults,
        tokens: TokenQueue,
      ) =>
        new JobWorker({
          dataSource,
          outbox,
          processors,
          tokenFlow: tokens,
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
    @Inject(WorkQueue) private readonly tokens: TokenQueue,
    @Inject(APP_CONFIG) private readonly config: JobsConfig,
  ) {}

  /** An `api` process consumes billing's decisions but leaves running jobs (and their tokens) to the workers. */
  onApplicationBootstrap(): void {
    if (this.config.JOBS_ROLE === 'api') {
      this.tokens.declare();
      return;
    }
    this.tokens.consume(this.config.WORKER_CONCURRENCY, (token) => this.worker.takeToken(token.data.userId));
    this.worker.start();
  }

  /** Stops taking tokens first (those not served yet go back to the queue), then the worker. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([this.tokens.close(), this.worker.stop()]);
  }

  /** Idempotent; normally the worker has stopped already. */
  onApplicationShutdown(): Promise<void> {
    return this.worker.stop();
  }
}
