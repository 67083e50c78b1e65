import { catalogue } from '@conveyor/contracts';

/** What an endpoint receives when it names no event types: the job's outcome. */
export const TERMINAL_JOB_EVENTS = [
  'jobs.job.succeeded.v1',
  'jobs.job.failed.v1',
  'jobs.job.canceled.v1',
  'jobs.job.rejected.v1',
] as const;

/**
 * Events a client may subscribe an endpoint to: every published event that belongs to one
 * client (its data names the `userId`), except the platform's own bookkeeping, messages
 * internal to one service (jobs' work tokens) and the delivery outcomes (a delivery event
 * delivered as a webhook would announce its own delivery, without end).
 */
const NOT_SUBSCRIBABLE = new Set(['jobs.api_key.used.v1', 'webhooks.delivery.succeeded.v1', 'webhooks.delivery.exhausted.v1']);

export const SUBSCRIBABLE_EVENTS: readonly string[] = catalogue
  .filter((contract) => !NOT_SUBSCRIBABLE.has(contract.type) && !contract.internal)
  .filter((contract) => 'userId' in ((contract.schema as { properties?: object }).properties ?? {}))
  .map((contract) => contract.type);
