import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { ProcessorsModule } from '../processors/processors.module';
import { ResultsModule } from '../results/results.module';
import { CancelJobHandler } from './cancel-job/cancel-job.handler';
import { CancelJobHttpController } from './cancel-job/cancel-job.http.controller';
import { GetJobHttpController } from './get-job/get-job.http.controller';
import { ListJobsHandler } from './list-jobs/list-jobs.handler';
import { ListJobsHttpController } from './list-jobs/list-jobs.http.controller';
import { IdempotencyKeyStore } from './submit-job/idempotency-key.store';
import { SubmitJobHandler } from './submit-job/submit-job.handler';
import { SubmitJobHttpController } from './submit-job/submit-job.http.controller';
import { WatchJobsHttpController } from './watch-jobs/watch-jobs.http.controller';
import { WatchJobsModule } from './watch-jobs/watch-jobs.module';

/** The public jobs API: submit, get, list, cancel, watch (SSE). Job types and their input schemas come from the processors. */
@Module({
  imports: [ApiKeysModule, ProcessorsModule, ResultsModule, WatchJobsModule],
  // The streams first: Express matches routes in the order they are declared.
  controllers: [WatchJobsHttpController, SubmitJobHttpController, ListJobsHttpController, GetJobHttpController, CancelJobHttpController],
  providers: [SubmitJobHandler, IdempotencyKeyStore, ListJobsHandler, CancelJobHandler],
})
export class JobsHttpModule {}
