import { Module } from '@nestjs/common';
import { OnJobCanceledHandler } from './on-job-canceled/on-job-canceled.handler';
import { OnJobFailedHandler } from './on-job-failed/on-job-failed.handler';
import { OnJobSucceededHandler } from './on-job-succeeded/on-job-succeeded.handler';

/** The job summary on each profile, kept from jobs' terminal events (read by the profile routes). */
@Module({
  controllers: [OnJobSucceededHandler, OnJobFailedHandler, OnJobCanceledHandler],
})
export class ActivityModule {}
