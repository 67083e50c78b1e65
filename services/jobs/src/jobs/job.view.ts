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
});

export type JobView = ReturnType<typeof jobView>;
