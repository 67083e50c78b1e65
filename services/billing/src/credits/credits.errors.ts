/**
 * Thrown by consumers when an event arrived before what it depends on. The consumer transport
 * retries the event with growing pauses, and dead-letters it if the dependency never comes.
 */
export class AccountNotOpenedYetError extends Error {
  constructor(userId: string) {
    super(`No billing account for user ${userId} yet; its auth.user.registered.v1 has not been applied`);
    this.name = new.target.name;
  }
}

/** A job ended with success, but billing holds no credits for it (yet): nothing to capture. */
export class ReservationNotFoundError extends Error {
  constructor(jobId: string) {
    super(`No reservation for job ${jobId} yet; its jobs.job.submitted.v1 has not been applied`);
    this.name = new.target.name;
  }
}
