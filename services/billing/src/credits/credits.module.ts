import { Module } from '@nestjs/common';
import { OnJobCanceledHandler } from './on-job-canceled/on-job-canceled.handler';
import { OnJobFailedHandler } from './on-job-failed/on-job-failed.handler';
import { OnJobRejectedHandler } from './on-job-rejected/on-job-rejected.handler';
import { OnJobSubmittedHandler } from './on-job-submitted/on-job-submitted.handler';
import { OnJobSucceededHandler } from './on-job-succeeded/on-job-succeeded.handler';
import { ReleaseReservation } from './release-reservation';

/** Billing's side of the job saga: hold on submission, charge on success, give back otherwise. */
@Module({
  controllers: [OnJobSubmittedHandler, OnJobSucceededHandler, OnJobFailedHandler, OnJobCanceledHandler, OnJobRejectedHandler],
  providers: [ReleaseReservation],
})
export class CreditsModule {}
