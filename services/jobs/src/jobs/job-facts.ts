/** `source` of every event this service writes. */
export const JOBS_SOURCE = '/conveyor/jobs';

/** What the job events repeat about their job (see `jobFacts` in the contracts). */
export interface JobFactsSource {
  id: string;
  userId: string;
  type: string;
  metadata: Record<string, string>;
  webhookUrl: string | null;
  createdAt: Date;
}

export function jobFacts(job: JobFactsSource) {
  return {
    jobId: job.id,
    userId: job.userId,
    type: job.type,
    metadata: job.metadata,
    webhookUrl: job.webhookUrl,
    submittedAt: job.createdAt.toISOString(),
  };
}
