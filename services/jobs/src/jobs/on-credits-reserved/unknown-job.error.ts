/**
 * A billing decision about a job this service has no row for. Jobs writes the row before it
 * emits the event billing answers, so this should not happen; if it does (a restored backup,
 * a bug), the event is retried and, failing that, dead-lettered for someone to look at.
 */
export class UnknownJobError extends Error {
  readonly code = 'JOBS.UNKNOWN_JOB';

  constructor(jobId: string) {
    super(`No job ${jobId} exists`);
    this.name = new.target.name;
  }
}
