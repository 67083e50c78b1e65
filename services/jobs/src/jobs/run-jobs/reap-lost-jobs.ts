import { Logger } from '@nestjs/common';
import { Attr, restoreTraceContext, tracer } from '@conveyor/tracing';
import { DEFAULT_MAX_ATTEMPTS } from '../../processors/job-processor';
import type { ProcessorRegistry } from '../../processors/processor-registry';
import type { JobFinisher } from './finish-job';
import type { ExpiredJob, JobLeases } from './job-lease';

/** Lost jobs freed per poll; a larger backlog is worked off over the next polls. */
const REAP_PER_POLL = 100;

export const WORKER_LOST = {
  code: 'JOBS.WORKER_LOST',
  message: 'The worker running the job stopped answering, and the job has no attempts left.',
} as const;

/**
 * Frees the jobs of workers that are gone: a `running` job whose lease has run out goes back
 * to the queue, keeping its `seq` so it is its client's next job again, or, when it has already
 * been claimed as often as its processor allows, fails with `JOBS.WORKER_LOST` and its
 * `jobs.job.failed.v1` event. The lost run counts as an attempt, as a transient failure would,
 * so a job that kills its worker every time cannot loop forever.
 *
 * Every worker reaps on its poll, and several may pick the same job: each write is guarded by
 * the attempt it read and by the lease still being expired, so exactly one applies, and a
 * renewal or a late outcome from the presumed-dead worker that lands first wins instead.
 */
export class LostJobReaper {
  private readonly logger = new Logger(LostJobReaper.name);

  constructor(
    private readonly leases: JobLeases,
    private readonly finisher: JobFinisher,
    private readonly processors: ProcessorRegistry,
  ) {}

  /** Answers how many jobs it freed. */
  async reap(): Promise<number> {
    let freed = 0;
    for (const job of await this.leases.expired(REAP_PER_POLL)) {
      if (await this.free(job)) freed++;
    }
    // Each freed job's transaction (requeue or fail) wrote a "work available" token for its client.
    return freed;
  }

  /** In the job's own trace, like the run it ends, so its failed event carries that trace on. */
  private free(job: ExpiredJob): Promise<boolean> {
    const attributes = { [Attr.jobId]: job.id, [Attr.userId]: job.user_id };
    return tracer().startActiveSpan('reap lost job', { attributes }, restoreTraceContext(job.trace_context), async (span) => {
      try {
        return await this.endLostRun(job);
      } finally {
        span.end();
      }
    });
  }

  private async endLostRun(job: ExpiredJob): Promise<boolean> {
    const maxAttempts = this.processors.get(job.type)?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    const lost = `Job ${job.id} lost its worker ${job.worker_id ?? '(unknown)'} at attempt ${job.attempts}`;
    if (job.attempts < maxAttempts) {
      const applied = await this.finisher.requeue(job, 'lease_expired');
      if (applied) this.logger.warn(`${lost}; it is queued again`);
      return applied;
    }
    const applied = await this.finisher.fail(job, WORKER_LOST, 'lease_expired');
    if (applied) this.logger.warn(`${lost}, its last; it failed with ${WORKER_LOST.code}`);
    return applied;
  }
}
