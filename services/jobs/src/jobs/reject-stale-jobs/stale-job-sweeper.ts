import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG } from '@conveyor/config';
import { OutboxWriter } from '@conveyor/outbox';
import { DataSource } from 'typeorm';
import type { JobsConfig } from '../../jobs.config';
import { rejectPendingJob } from '../reject-pending-job';

/** The reason a job gets when billing never answered for it. */
export const BILLING_TIMEOUT = 'billing_timeout';

/**
 * A job stays `pending` until billing reserves or refuses its cost. If billing's answer never
 * comes (its copy of the submitted event was dead-lettered, say), the job would wait forever
 * and hold back its client's later jobs; after PENDING_JOB_TIMEOUT_SECONDS it is rejected
 * instead. Billing then records the outcome, so a late reservation is never made (or is
 * released). Several instances may sweep at once: rows are claimed with SKIP LOCKED.
 */
@Injectable()
export class StaleJobSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(StaleJobSweeper.name);
  private timer?: NodeJS.Timeout;
  private sweep: Promise<void> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    @Inject(APP_CONFIG) private readonly config: Pick<JobsConfig, 'PENDING_JOB_TIMEOUT_SECONDS'>,
  ) {}

  onApplicationBootstrap(): void {
    const everyMs = Math.min(60_000, (this.config.PENDING_JOB_TIMEOUT_SECONDS * 1000) / 2);
    this.timer = setInterval(() => {
      this.sweep = this.sweep
        .then(async () => void (await this.rejectStaleJobs()))
        .catch((error) => this.logger.warn(`Sweep failed: ${error}`));
    }, everyMs);
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.sweep;
  }

  /** Rejects up to 100 stale pending jobs; returns how many. */
  async rejectStaleJobs(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const stale: { id: string }[] = await manager.query(
        `SELECT id FROM jobs.jobs
         WHERE status = 'pending' AND created_at < now() - make_interval(secs => $1)
         ORDER BY created_at LIMIT 100 FOR UPDATE SKIP LOCKED`,
        [this.config.PENDING_JOB_TIMEOUT_SECONDS],
      );
      for (const { id } of stale) await rejectPendingJob(manager, this.outbox, id, BILLING_TIMEOUT);
      if (stale.length > 0) this.logger.warn(`Rejected ${stale.length} job(s) that billing never answered`);
      return stale.length;
    });
  }
}
