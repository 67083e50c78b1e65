import { metricsRegistry } from '@conveyor/metrics';
import { Counter, Histogram } from 'prom-client';
import type { JobStatus } from './job-status';

const jobsFinished = new Counter({
  name: 'conveyor_jobs_finished_total',
  help: 'Jobs that reached a final status, by job type and status',
  labelNames: ['type', 'status'] as const,
  registers: [metricsRegistry],
});

const jobRunDuration = new Histogram({
  name: 'conveyor_job_run_duration_seconds',
  help: 'Time from the start of the last run to the end of jobs that ran, by job type and final status',
  labelNames: ['type', 'status'] as const,
  buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900],
  registers: [metricsRegistry],
});

/** Records a job's final status; `startedAt`/`finishedAt` when it ran. */
export function recordJobFinished(type: string, status: JobStatus, run?: { startedAt: Date | null; finishedAt: Date }): void {
  jobsFinished.inc({ type, status });
  if (run?.startedAt) jobRunDuration.observe({ type, status }, (run.finishedAt.getTime() - run.startedAt.getTime()) / 1000);
}
