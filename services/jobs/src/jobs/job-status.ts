export const JOB_STATUSES = ['pending', 'queued', 'running', 'succeeded', 'failed', 'canceled', 'rejected'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const TERMINAL_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'canceled', 'rejected'];

/**
 * The job state machine: for each status, the statuses it may be entered from. Terminal
 * states are never left, so a late or duplicated event can never move a job backwards.
 * `running → queued` is a retry (a transient failure, or a worker that died mid-job).
 */
const ENTERED_FROM: Record<JobStatus, readonly JobStatus[]> = {
  pending: [],
  queued: ['pending', 'running'],
  running: ['queued'],
  succeeded: ['running'],
  failed: ['running', 'queued'],
  canceled: ['pending', 'queued', 'running'],
  rejected: ['pending'],
};

/** The statuses from which a job may move to `to`; use it in `UPDATE … WHERE status = ANY(…)`. */
export function statusesBefore(to: JobStatus): readonly JobStatus[] {
  return ENTERED_FROM[to];
}

export function canMove(from: JobStatus, to: JobStatus): boolean {
  return ENTERED_FROM[to].includes(from);
}

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}
