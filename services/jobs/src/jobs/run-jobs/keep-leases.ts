import { Logger } from '@nestjs/common';
import type { JobLeases } from './job-lease';
import type { JobRow } from './job-row';
import { describe } from './run-job';

/** A run as the lease keeper sees it. */
export interface HeldRun {
  job: JobRow;
  /** When the last claim or renewal that held the job was sent (`performance.now()`). */
  heldSince: number;
}

export interface HeldRuns {
  /** The runs this worker has now. */
  current(): HeldRun[];
  /** Stop a run: its job may no longer be this worker's, or soon may not be. */
  lose(jobId: string): void;
}

/**
 * Renews the leases of a worker's runs every third of a lease, so two renewals may fail
 * before a lease can run out. A run whose job is no longer `running` at its attempt (canceled,
 * or freed by a reaper) is stopped.
 *
 * It also stops runs whose lease has gone half a lease (two renewals) without being renewed,
 * because the database is unreachable or the process stalled. Such a lease may run out before
 * this worker reaches the database again, and then a reaper hands the job to another worker
 * while this processor would still be running it. Stopping now leaves the processor the rest
 * of the lease to wind down.
 */
export class LeaseKeeper {
  private readonly logger = new Logger(LeaseKeeper.name);
  private timer?: NodeJS.Timeout;
  private renewing?: Promise<void>;

  constructor(
    private readonly leases: JobLeases,
    private readonly leaseMs: number,
    private readonly runs: HeldRuns,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => this.renew(), this.leaseMs / 3);
  }

  /** Renews no more; resolves once a renewal in flight has come back. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.renewing;
  }

  private renew(): void {
    if (this.renewing) {
      // The last renewal has not come back: the database may be unreachable.
      this.loseUnheldRuns();
      return;
    }
    const runs = this.runs.current();
    if (runs.length === 0) return;
    const sentAt = performance.now();
    this.renewing = this.leases
      .renew(runs.map((run) => run.job))
      .then((renewed) => {
        for (const run of runs) {
          if (renewed.has(run.job.id)) run.heldSince = sentAt;
          else this.runs.lose(run.job.id);
        }
      })
      .catch((error) => this.logger.warn(`Renewing job leases failed: ${describe(error)}`))
      .finally(() => {
        this.renewing = undefined;
        this.loseUnheldRuns();
      });
  }

  private loseUnheldRuns(): void {
    const now = performance.now();
    for (const run of this.runs.current()) {
      if (now - run.heldSince >= this.leaseMs / 2) this.runs.lose(run.job.id);
    }
  }
}
