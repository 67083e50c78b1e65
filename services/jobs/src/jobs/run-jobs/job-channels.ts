/**
 * Postgres NOTIFY channels that wake the workers. Notifications are sent inside the
 * transaction that made the change, so they arrive only once it committed.
 */

/** A job became claimable, or a slot may have freed (payload empty). */
export const JOB_QUEUED_CHANNEL = 'jobs_job_queued';

/** A job was canceled (payload: its id); the worker running it aborts it. */
export const JOB_CANCELED_CHANNEL = 'jobs_job_canceled';
