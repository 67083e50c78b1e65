/**
 * The Postgres NOTIFY channel on which a cancel reaches the worker running the job. It is sent
 * inside the cancel's transaction, so it arrives only once that committed. (Work reaches the
 * workers through "work available" tokens on the work queue, see work-tokens.ts.)
 */

/** A job was canceled (payload: its id); the worker running it aborts it. */
export const JOB_CANCELED_CHANNEL = 'jobs_job_canceled';
