import { Logger } from '@nestjs/common';
import type { OutboxWriter } from '@conveyor/outbox';
import { PgListener } from '@conveyor/persistence';
import type { DataSource } from 'typeorm';
import type { ProcessorRegistry } from '../../processors/processor-registry';
import type { JobResults } from '../../results/job-results';
import { JobClaimer } from './claim-jobs';
import { JOB_CANCELED_CHANNEL, JOB_QUEUED_CHANNEL } from './job-channels';
import { JobFinisher } from './finish-job';
import { JobLeases, leaseTerms } from './job-lease';
import type { StopReason } from './job-outcome';
import type { JobRow } from './job-row';
import { LeaseKeeper, type HeldRun } from './keep-leases';
import { LostJobReaper } from './reap-lost-jobs';
import { describe, JobRunner, stopRun, type JobRun, type JobRunnerOptions } from './run-job';

export interface JobWorkerOptions {
  dataSource: DataSource;
  outbox: OutboxWriter;
  processors: ProcessorRegistry;
  /** Connection string for LISTEN; without it the worker only polls. */
  listenUrl?: string;
  /** Look for work (and for cancels missed by LISTEN) this often. */
  pollIntervalMs: number;
  /** Jobs this worker runs at once, across all clients. */
  concurrency: number;
  /** On stop: how long running jobs may take to finish on their own before they are aborted. */
  finishGraceMs: number;
  /** On stop: how long aborted jobs get to wind down; a run still going after that keeps its job. */
  abortGraceMs: number;
  /** How long a claim or a renewal holds a job (JOB_LEASE_SECONDS; 30 s when not given); renewed every third of it. */
  leaseSeconds?: number;
  /** Run time limits by type and the backoff after transient failures (defaults: none, 1 s to 5 min). */
  runs?: Partial<JobRunnerOptions>;
  /** How results are stored; without it, only JSON results can be. */
  results?: JobResults;
}

type Run = JobRun & HeldRun & { done?: Promise<void> };

/** Clients considered per claiming round; enough that a few blocked ones cannot starve others. */
const CANDIDATES_PER_ROUND = 100;

/**
 * Runs queued jobs: claims them (see JobClaimer for how plans and order hold across workers),
 * runs their processors, and records how each run ended. It wakes when a job is queued
 * (NOTIFY), when one of its own runs ends, and on a poll. A cancel reaches a running job
 * through NOTIFY (or the poll's check) and aborts its processor. Stopping lets running jobs
 * finish for a while, then aborts them; those that stop are handed back to the queue.
 *
 * Each claimed job is held by a lease that this worker renews while the run lasts. A worker
 * that dies, hangs or gives up on a job stops renewing, and once the lease runs out any
 * worker's poll frees the job (see LostJobReaper), so a job is never stuck in `running`.
 */
export class JobWorker {
  private readonly logger = new Logger(JobWorker.name);
  private readonly runs = new Map<string, Run>();
  private readonly claimer: JobClaimer;
  private readonly finisher: JobFinisher;
  private readonly leaseKeeper: LeaseKeeper;
  private readonly reaper: LostJobReaper;
  private readonly runner: JobRunner;
  private readonly notifications?: PgListener;
  private state: 'idle' | 'running' | 'stopping' = 'idle';
  private claiming?: Promise<void>;
  private claimAgain = false;
  private checking = false;
  private reaping?: Promise<void>;
  private pollTimer?: NodeJS.Timeout;
  private stopped?: Promise<void>;

  constructor(private readonly options: JobWorkerOptions) {
    const lease = leaseTerms(options.leaseSeconds);
    const leases = new JobLeases(options.dataSource, lease);
    this.claimer = new JobClaimer(options.dataSource, options.outbox, lease);
    this.finisher = new JobFinisher(options.dataSource, options.outbox);
    this.leaseKeeper = new LeaseKeeper(leases, lease.seconds * 1000, {
      current: () => [...this.runs.values()],
      lose: (jobId) => this.stopRun(jobId, 'lost'),
    });
    this.reaper = new LostJobReaper(options.dataSource, leases, this.finisher, options.processors);
    this.runner = new JobRunner(
      options.processors,
      this.finisher,
      {
        timeouts: options.runs?.timeouts ?? {},
        backoff: options.runs?.backoff ?? { baseDelayMs: 1_000, maxDelayMs: 300_000 },
      },
      options.results,
    );
    if (options.listenUrl) {
      this.notifications = new PgListener({
        url: options.listenUrl,
        channels: [JOB_QUEUED_CHANNEL, JOB_CANCELED_CHANNEL],
        applicationName: 'jobs-worker-listener',
        onNotification: (channel, jobId) => {
          if (channel === JOB_QUEUED_CHANNEL) this.wake();
          else if (channel === JOB_CANCELED_CHANNEL && jobId) this.stopRun(jobId, 'canceled');
        },
        onConnected: () => {
          this.wake();
          void this.checkRunsStillOurs();
        },
      });
    }
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'running';
    this.notifications?.start();
    this.pollTimer = setInterval(() => {
      this.wake();
      void this.checkRunsStillOurs();
      this.reapLostJobs();
    }, this.options.pollIntervalMs);
    this.leaseKeeper.start();
    this.wake();
  }

  /** Idempotent; resolves once every run has ended, been handed back, or been left to its lease. */
  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  /** Ids of the jobs this worker is running now. */
  runningJobs(): string[] {
    return [...this.runs.keys()];
  }

  /** Claims work until there is none it may take; a wake during a round makes it look again. */
  wake(): void {
    if (this.state !== 'running') return;
    if (this.claiming) {
      this.claimAgain = true;
      return;
    }
    this.claiming = this.claimUntilIdle()
      .catch((error) => this.logger.warn(`Claiming jobs failed: ${describe(error)}`))
      .finally(() => (this.claiming = undefined));
  }

  private async claimUntilIdle(): Promise<void> {
    do {
      this.claimAgain = false;
      while (await this.claimRound());
    } while (this.claimAgain && this.state === 'running');
  }

  /** One pass over the clients with claimable work; true if it started anything. */
  private async claimRound(): Promise<boolean> {
    const free = () => (this.state === 'running' ? this.options.concurrency - this.runs.size : 0);
    if (free() <= 0) return false;
    let started = false;
    for (const userId of await this.claimer.candidates(CANDIDATES_PER_ROUND)) {
      if (free() <= 0) break;
      const claimedAt = performance.now();
      const jobs = await this.claimer.claim(userId, free());
      for (const job of jobs) this.launch(job, claimedAt);
      started ||= jobs.length > 0;
    }
    return started;
  }

  private launch(job: JobRow, heldSince: number): void {
    const run: Run = { job, controller: new AbortController(), heldSince };
    this.runs.set(job.id, run);
    run.done = this.runner.execute(run)
      .catch((error) => this.logger.error(`Job ${job.id} could not be recorded: ${describe(error)}`))
      .finally(() => {
        this.runs.delete(job.id);
        this.wake();
      });
  }

  private stopRun(jobId: string, reason: StopReason): void {
    const run = this.runs.get(jobId);
    if (run) stopRun(run, reason);
  }

  /** Frees jobs whose worker lost its lease; one pass at a time per worker. */
  private reapLostJobs(): void {
    if (this.state !== 'running' || this.reaping) return;
    this.reaping = this.reaper
      .reap()
      .then((freed) => {
        if (freed > 0) this.wake();
      })
      .catch((error) => this.logger.warn(`Freeing lost jobs failed: ${describe(error)}`))
      .finally(() => (this.reaping = undefined));
  }

  /**
   * The fallback for a missed NOTIFY: a run whose job is no longer `running` at the attempt we
   * claimed has been canceled (or taken from us), so its processor is aborted.
   */
  private async checkRunsStillOurs(): Promise<void> {
    if (this.checking || this.runs.size === 0) return;
    this.checking = true;
    try {
      const ids = [...this.runs.keys()];
      const rows: { id: string; status: string; attempts: number }[] = await this.options.dataSource.query(
        `SELECT id, status, attempts FROM jobs.jobs WHERE id = ANY($1::uuid[])`,
        [ids],
      );
      for (const id of ids) {
        const row = rows.find((r) => r.id === id);
        const run = this.runs.get(id);
        if (run && (row?.status !== 'running' || row.attempts !== run.job.attempts)) this.stopRun(id, 'canceled');
      }
    } catch (error) {
      this.logger.warn(`Checking running jobs failed: ${describe(error)}`);
    } finally {
      this.checking = false;
    }
  }

  /**
   * Stops claiming, gives running jobs `finishGraceMs` to end on their own, aborts the rest
   * and gives them `abortGraceMs` to hand themselves back. Leases are renewed all along.
   *
   * A processor that ignores its signal keeps its job: handing the job back while the
   * processor may still be running would let another instance run it at the same time. The
   * job stays `running` under a lease nobody renews, and a reaper frees it once that runs out
   * (after the process has exited, normally). If the processor reports before then, its
   * outcome is recorded as usual.
   */
  private async shutdown(): Promise<void> {
    if (this.state === 'idle') return;
    this.state = 'stopping';
    clearInterval(this.pollTimer);
    await Promise.all([this.claiming, this.reaping]);
    await this.settleRuns(this.options.finishGraceMs);
    for (const id of this.runs.keys()) this.stopRun(id, 'shutdown');
    await this.settleRuns(this.options.abortGraceMs);
    await this.leaseKeeper.stop();
    for (const id of this.runs.keys()) {
      this.logger.warn(`Job ${id} did not stop when aborted; it stays running until its lease runs out, then another worker takes it`);
    }
    await this.notifications?.stop();
  }

  private async settleRuns(withinMs: number): Promise<void> {
    const runs = [...this.runs.values()].map((run) => run.done);
    if (runs.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, withinMs)));
    await Promise.race([Promise.allSettled(runs), deadline]);
    clearTimeout(timer);
  }
}
