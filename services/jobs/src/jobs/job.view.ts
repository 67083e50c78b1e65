import type { Job } from './job.entity';

export const jobStatusUrl = (id: string) => `/v1/jobs/${id}`;

const iso = (date: Date | null) => date?.toISOString() ?? null;

/** The public JSON of a job, as `GET /v1/jobs/:id`, the list and cancel answer it. */
export const jobView = (job: Job) => ({
  id: job.id,
  type: job.type,
  status: job.status,
  input: job.input,
  metadata: job.metadata,
  webhookUrl: job.webhookUrl,
  reason: job.reason,
  error: job.errorCode === null ? null : { code: job.errorCode, message: job.errorMessage ?? '' },
  result: job.result ?? null,
  attempts: job.attempts,
  createdAt: job.createdAt.toISOString(),
  queuedAt: iso(job.queuedAt),
  startedAt: iso(job.startedAt),
  finishedAt: iso(job.finishedAt),
  statusUrl: jobStatusUrl(job.id),
  traceId: traceIdOf(job.traceContext),
});

/** The trace id in a `traceparent` (`00-<trace id>-<span id>-<flags>`), for clients to quote to support. */
function traceIdOf(context: { traceparent?: string } | null | undefined): string | null {
  return /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/.exec(context?.traceparent ?? '')?.[1] ?? null;
}

export type JobView = ReturnType<typeof jobView>;
